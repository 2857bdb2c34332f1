import ExpungeCore
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning

extension AuditedModel {
  /// A SISA ensemble as the audit sees it: its aggregation's scores for predictions, the
  /// shards' (size-weighted, if `sisa` weighs them) mean probabilities for losses and
  /// attacks, and all shard parameters as one vector. Each shard preprocesses the rows
  /// itself.
  public static func ensemble(
    _ models: [PreprocessedClassifier], sisa: SISAConfig, sizes: [Int], name: String,
    classCount: Int
  ) -> AuditedModel {
    var layout: [(name: String, shape: [Int])] = []
    var values: [Float] = []
    let shardParameters = models.compactMap { ($0.model as? any ParametricModel)?.parameters }
    for (k, shard) in shardParameters.enumerated() {
      layout += shard.views.map { ("shard-\(k).\($0.name)", $0.shape) }
      values += shard.values
    }
    // Parameter distances need every shard's parameters as one vector.
    var parameters: ParameterBuffer? = ParameterBuffer(layout: layout)
    parameters?.values = values
    if shardParameters.count < models.count { parameters = nil }
    let weights = sisa.weightByShardSize ? sizes.map(Double.init) : nil
    return AuditedModel(name: name, classCount: classCount, parameters: parameters) { x in
      let shards = models.map { $0.predictProbabilities(x) }
      return (
        sisa.aggregation.combine(shards, weights: weights),
        SISAAggregation.meanProbability.combine(shards, weights: weights)
      )
    }
  }

  /// A fitted SISA ensemble, as `ensemble(_:sisa:sizes:name:classCount:)` sees it.
  public init(_ ensemble: SISAEnsemble, name: String = "model") {
    self = .ensemble(
      ensemble.preprocessedShardModels, sisa: ensemble.sisa, sizes: ensemble.shardSizes,
      name: name, classCount: ensemble.classCount)
  }

  /// A classifier behind its preprocessing (the rows it is given are as the data file holds
  /// them).
  public init(_ model: PreprocessedClassifier, name: String = "model") {
    self.init(
      name: name, classCount: model.model.classCount,
      parameters: (model.model as? any ParametricModel)?.parameters
    ) { x in
      let p = model.predictProbabilities(x)
      return (p, p)
    }
  }
}

extension AuditedModel {
  /// A store's model version, as `ensemble(_:sisa:sizes:name:classCount:)` sees it.
  public init(_ model: StoreModel, name: String = "model") {
    self = .ensemble(
      model.shards, sisa: model.sisa, sizes: model.shardSizes, name: name,
      classCount: model.classCount)
  }
}
