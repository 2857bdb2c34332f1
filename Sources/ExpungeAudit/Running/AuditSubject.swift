import ExpungeData

/// What an audit examines — a store's current version, or a model with the rows it should
/// have forgotten — and how to train more models by the same recipe: the original, the oracle
/// and the attacks' reference models.
///
/// `store(_:trainingData:request:)` and `model(_:forgotten:trainingData:)` build one; the
/// memberwise initializer takes any other recipe.
public struct AuditSubject {
  /// "store DIR, model version N" or "model DIR".
  public var title: String
  /// A short name for the HTML report's title (the directory's last component).
  public var name: String
  /// The rows the original model trained on (kept and forgotten), as training saw them.
  public var training: Dataset
  /// The rows judged as forgotten.
  public var forget: Dataset
  /// The rows the model under audit may still learn from.
  public var retain: Dataset
  public var classCount: Int
  public var featureCount: Int
  /// The class selection training applied (test rows need it too), if any.
  public var classSelection: [Int32]?
  /// The model under audit.
  public var unlearned: AuditedModel
  /// Trains a model by the recipe on `rows`; `seed` nil keeps the recipe's own seeds,
  /// otherwise it replaces them (model initialization and shuffles, SISA placement).
  public var train: RecipeTrainer
  /// Trains on the kept rows (the oracle for `seed` nil); a store caches what it trains.
  public var trainRetained: (_ seed: UInt64?) throws -> AuditedModel
  /// Trains on `training` with `seed`, then unlearns by the method the subject used —
  /// replaying the ledger's requests. Nil when the method is unknown (a model directory):
  /// then the audit has no epsilon-score.
  public var trainAndUnlearn: ((_ seed: UInt64) throws -> AuditedModel)?
  /// Seconds the unlearning took, per completed ledger request.
  public var unlearningSeconds: [Double] = []
  /// The last ledger request, in one line (for the HTML report).
  public var ledgerEntry: String?
  /// The backdoor training planted, if any (the rows above carry it, as training saw them).
  public var backdoor: Backdoor?
  /// Remarks the report carries (what the audit cannot measure, where data came from).
  public var notes: [String] = []

  public init(
    title: String, name: String, training: Dataset, forget: Dataset, retain: Dataset,
    classCount: Int, featureCount: Int, classSelection: [Int32]? = nil,
    unlearned: AuditedModel, train: @escaping RecipeTrainer,
    trainRetained: @escaping (_ seed: UInt64?) throws -> AuditedModel,
    trainAndUnlearn: ((_ seed: UInt64) throws -> AuditedModel)? = nil
  ) {
    self.title = title
    self.name = name
    self.training = training
    self.forget = forget
    self.retain = retain
    self.classCount = classCount
    self.featureCount = featureCount
    self.classSelection = classSelection
    self.unlearned = unlearned
    self.train = train
    self.trainRetained = trainRetained
    self.trainAndUnlearn = trainAndUnlearn
  }
}
