import ExpungeModels

/// `--method newton`: certified removal (Guo et al., ICML 2020) for models trained with
/// `--certified`, exact Cholesky downdates for ridge; see `NewtonUpdate`.
public enum NewtonMethod: UnlearningMethod {
  public static let name = "newton"
  public static let guarantee = UnlearningGuarantee.certified
  public static let summary =
    "update each affected shard in place: certified removal (certified models), exact downdates (ridge)"

  public static func refusal(for configuration: ModelConfiguration) -> String? {
    NewtonUpdate.supports(configuration.kind)
      ? nil
      : "it needs a model trained for certified removal (certified logistic regression) or a ridge model; a Newton step on \(configuration.kind) would carry no guarantee"
  }
}
