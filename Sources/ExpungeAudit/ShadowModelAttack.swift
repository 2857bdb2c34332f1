import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// The shadow-model attack of Shokri et al. ("Membership Inference Attacks Against Machine
/// Learning Models", S&P 2017).
///
/// K shadow models are trained by the target's recipe, each on one half of rows the target
/// never saw (the other half is its "out" set). Their outputs on their own in and out rows,
/// labelled member / non-member, train one attack model per class; each attack model then
/// judges the target's output on rows of its class. The attack models are L2-regularized
/// logistic regressions on the log-probability vector (log p, clamped at 1e-30): Shokri et
/// al. used small networks on the probability vector; on one class's vector a linear model
/// on log-probabilities separates what the loss- and entropy-like signals separate.
public struct ShadowModelAttack: Sendable {
  /// One binary attack model per class; nil where a class had no rows of one kind.
  public let attackModels: [LogisticRegression?]

  public static let name = "shadow"

  /// One shadow model with the rows it trained on (`members`) and the rows it did not.
  public struct Shadow: Sendable {
    public var model: AuditedModel
    public var members: Dataset
    public var nonMembers: Dataset
    public init(model: AuditedModel, members: Dataset, nonMembers: Dataset) {
      self.model = model
      self.members = members
      self.nonMembers = nonMembers
    }
  }

  /// Trains the per-class attack models on the shadows' outputs.
  public init(shadows: [Shadow], classCount: Int) throws {
    var features = [[Float]](repeating: [], count: classCount)
    var labels = [[Int32]](repeating: [], count: classCount)
    for shadow in shadows {
      for (rows, member) in [(shadow.members, Int32(1)), (shadow.nonMembers, Int32(0))]
      where !rows.isEmpty {
        let vectors = Self.attackFeatures(shadow.model.posteriors(rows.features))
        for i in 0..<rows.count {
          let y = Int(rows.labels[i])
          features[y] += vectors.row(i)
          labels[y].append(member)
        }
      }
    }
    var config = LogisticRegressionConfig()
    config.l2 = 1e-4
    config.tolerance = 1e-6
    attackModels = try (0..<classCount).map { c in
      let y = labels[c]
      guard y.contains(0) && y.contains(1) else { return nil }
      let data = Dataset(
        ids: (0..<y.count).map { SampleID(UInt64($0)) },
        features: Matrix(rows: y.count, cols: classCount, storage: features[c]), labels: y,
        classCount: 2, source: "shadow-attack-\(c)")
      return try LogisticRegression.fit(data, config: config)
    }
  }

  /// P(member) for each row of `data` under `model`, from its class's attack model (0.5
  /// for a class no attack model could be trained for).
  public func scores(_ model: AuditedModel, _ data: Dataset) -> [Double] {
    guard !data.isEmpty else { return [] }
    let vectors = Self.attackFeatures(model.posteriors(data.features))
    var out = [Double](repeating: 0.5, count: data.count)
    for (c, attack) in attackModels.enumerated() {
      guard let attack else { continue }
      let rows = (0..<data.count).filter { data.labels[$0] == c }
      guard !rows.isEmpty else { continue }
      let p = attack.predictProbabilities(
        Matrix(rows: rows.count, cols: vectors.cols, storage: rows.flatMap { vectors.row($0) }))
      for (j, i) in rows.enumerated() { out[i] = Double(p[j, 1]) }
    }
    return out
  }

  /// Judges forget (members) against test (non-members); the decision threshold is the
  /// attack models' own, P(member) ≥ ½.
  public func run(_ model: AuditedModel, forget: Dataset, test: Dataset) -> AttackResult {
    AttackResult(
      name: Self.name, members: scores(model, forget), nonMembers: scores(model, test),
      threshold: 0.5)
  }

  static func attackFeatures(_ posteriors: Matrix) -> Matrix {
    Matrix(
      rows: posteriors.rows, cols: posteriors.cols,
      storage: posteriors.storage.map { Float(log(max(Double($0), 1e-30))) })
  }
}

extension ShadowModelAttack {
  /// Trains `models` shadow models by `train` (side by side on several threads when that
  /// keeps them busy: `train` must be safe to call so), each on a seeded half of `heldOut`
  /// (rows the target never saw), and the attack models on their outputs.
  public static func train(
    heldOut: Dataset, models: Int, seed: UInt64, train: RecipeTrainer,
    progress: (() -> Void)? = nil
  ) throws -> ShadowModelAttack {
    var rng = SeededGenerator(seed: seed).derived("shadow-halves")
    let half = heldOut.count / 2
    let orders = (0..<models).map { _ in rng.permutation(heldOut.count) }
    let report = SerializedProgress(progress)
    let shadows = try concurrentMap(models) { k in
      let members = heldOut.subset(orders[k][..<half].sorted())
      let shadow = Shadow(
        model: try train(members, ReferenceSeeds.seed(seed, role: "shadow", model: k)),
        members: members, nonMembers: heldOut.subset(orders[k][half...].sorted()))
      report.call { $0?() }
      return shadow
    }
    return try ShadowModelAttack(shadows: shadows, classCount: heldOut.classCount)
  }
}
