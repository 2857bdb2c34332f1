/// Every model family Expunge knows, one line each. `--model`, model directories, SISA
/// shard training and the audit find a family here by its kind; nothing else in Expunge
/// names the families one by one. A new family is its own files plus one line below.
public enum ModelRegistry {
  public static let families: [any ModelFamily.Type] = [
    LogisticRegressionConfig.self,
    SoftmaxRegressionConfig.self,
    RidgeConfig.self,
    MLPConfig.self,
    CNNConfig.self,
    CertifiedLogisticConfig.self,
  ]

  /// The family registered as `name`, if any.
  public static func family(of name: String) -> (any ModelFamily.Type)? {
    families.first { $0.kind.rawValue == name }
  }
}
