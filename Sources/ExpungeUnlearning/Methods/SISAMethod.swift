import ExpungeModels

/// `--method sisa` (Bourtoule et al., IEEE S&P 2021): each affected shard retrains from the
/// checkpoint of the last stage that never saw the rows. Exact; every model family.
public enum SISAMethod: UnlearningMethod {
  public static let name = "sisa"
  public static let guarantee = UnlearningGuarantee.exact
  public static let summary =
    "retrain each affected shard from its last checkpoint that never saw the rows (exact)"
  public static func refusal(for configuration: ModelConfiguration) -> String? { nil }
}

/// `--method retrain`: every shard retrains from scratch — the reference SISA must equal.
public enum RetrainMethod: UnlearningMethod {
  public static let name = "retrain"
  public static let guarantee = UnlearningGuarantee.exact
  public static let summary = "retrain every shard from scratch (exact; the reference)"
  public static func refusal(for configuration: ModelConfiguration) -> String? { nil }
}
