/// Every unlearning method Expunge knows, one line each: `expunge forget --method`, the
/// store and the audit's replay find a method here by name. A new method is its own file
/// plus one line below.
public enum UnlearningMethods {
  public static let all: [any UnlearningMethod.Type] = [
    SISAMethod.self,
    RetrainMethod.self,
    NewtonMethod.self,
    InfluenceMethod.self,
    FineTuneMethod.self,
  ]

  /// The method registered as `name`, if any.
  public static func named(_ name: String) -> (any UnlearningMethod.Type)? {
    all.first { $0.name == name }
  }
}
