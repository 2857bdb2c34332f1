import ExpungeData
import ExpungeModels
import ExpungeUnlearning

extension AuditSubject {
  /// A model that should have forgotten the rows of `forgotten`, trained on `trainingData`
  /// (the original rows, forgotten ones included, as the data file holds them). The recipe
  /// is the model's configuration: every model the audit trains scales the rows as `model`
  /// does and refits its standardizer, if it has one. The audit cannot replay an unknown
  /// unlearning method, so it has no epsilon-score.
  /// - Throws: `DataError.widthMismatch`, `AuditError.forgottenRowsMissing`.
  public static func model(
    _ model: PreprocessedClassifier, forgotten ids: Set<SampleID>, trainingData: Dataset,
    title: String = "model", name: String = "model"
  ) throws -> AuditSubject {
    var data = trainingData
    try data.requireWidth(model.model.featureCount, expectedBy: "the audited model")
    data.classCount = model.model.classCount
    let forget = data.subset(data.ids.indices.filter { ids.contains(data.ids[$0]) })
    if forget.count < ids.count {
      throw AuditError.forgottenRowsMissing(
        source: data.source, found: forget.count, expected: ids.count)
    }
    let configuration = model.model.configuration
    let scaling = model.scaling
    let preprocessing = ShardPreprocessing(
      scaling: scaling, standardize: model.standardizer != nil)
    let retain = data.removing(ids: ids)
    let train: RecipeTrainer = { rows, seed in
      // The recipe scales the rows and refits the standardizer on them, as training did.
      let (prepared, standardizer) = preprocessing.prepare(rows)
      let fitted = try (seed.map { configuration.withSeed($0) } ?? configuration).fit(prepared)
      return AuditedModel(
        PreprocessedClassifier(fitted, scaling: scaling, standardizer: standardizer),
        name: "model")
    }
    var subject = AuditSubject(
      title: title, name: name, training: data, forget: forget, retain: retain,
      classCount: model.model.classCount, featureCount: model.model.featureCount,
      unlearned: AuditedModel(model, name: "unlearned"), train: train,
      trainRetained: { try train(retain, $0) })
    subject.notes.append(
      "a model does not say how it unlearned: no epsilon-score (audit a store for it)")
    return subject
  }

  /// A model directory (as `ModelDirectory.load` reads it) that should have forgotten the
  /// rows of `forgotten`: `model(_:forgotten:trainingData:)` with the directory's
  /// preprocessing, class selection and backdoor. `trainingData` is the original data with
  /// the directory's class selection applied, if it records one.
  /// - Throws: as `model(_:forgotten:trainingData:)`, and `ModelError` for weights that do
  ///   not fit the configuration.
  public static func modelDirectory(
    _ saved: SavedModel, forgotten ids: Set<SampleID>, trainingData: Dataset
  ) throws -> AuditSubject {
    let model = try saved.instantiatePreprocessed()
    var data = trainingData
    try data.requireWidth(
      model.model.featureCount, expectedBy: "the model in \(saved.directory.path)")
    data.classCount = model.model.classCount
    let backdoor = saved.metadata.notes["backdoor"].flatMap(Backdoor.init(jsonText:))
    if let backdoor { data = backdoor.poison(data) }
    var subject = try self.model(
      model, forgotten: ids, trainingData: data, title: "model \(saved.directory.path)",
      name: saved.directory.lastPathComponent)
    subject.classSelection = saved.metadata.classSelection
    subject.backdoor = backdoor
    subject.notes = [
      "a model directory does not say how it unlearned: no epsilon-score (audit a store for it)"
    ]
    return subject
  }
}
