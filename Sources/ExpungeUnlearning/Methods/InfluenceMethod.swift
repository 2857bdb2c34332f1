import ExpungeModels

/// `--method influence`: corrections only (relabelled or zeroed rows), an influence step
/// on each affected shard (Warnecke et al., NDSS 2023); see `InfluenceUpdate`.
public enum InfluenceMethod: UnlearningMethod {
  public static let name = "influence"
  public static let guarantee = UnlearningGuarantee.approximate
  public static let summary =
    "corrections only: update each affected shard by an influence step (approximate)"

  public static func refusal(for configuration: ModelConfiguration) -> String? {
    InfluenceUpdate.supports(configuration.kind)
      ? nil : "it updates logistic, softmax and MLP models; this model is \(configuration.kind)"
  }
}
