import ExpungeCore
import ExpungeUnlearning

/// How `expunge forget` removes or corrects rows: a registered unlearning method
/// (`UnlearningMethods`) and, for a model-update method, its settings.
public struct ForgetMethod: Sendable, Equatable, RawRepresentable, CaseIterable,
  CustomStringConvertible
{
  /// The registered method.
  public let method: any UnlearningMethod.Type
  /// A model-update method's settings as given (keys left out keep their defaults); nil
  /// for the others.
  public let settings: JSONValue?

  public init(_ method: any UnlearningMethod.Type, settings: JSONValue? = nil) {
    self.method = method
    self.settings = settings
  }

  /// A model-update method with its settings.
  public init(_ update: some ModelUpdateMethod) {
    self.init(type(of: update), settings: update.settingsJSON)
  }

  /// The method registered as `rawValue`, with default settings.
  public init?(rawValue: String) {
    guard let method = UnlearningMethods.named(rawValue) else { return nil }
    self.init(method)
  }

  /// The method a ledger request names, with its recorded settings; nil for a name this
  /// Expunge does not know.
  public init?(recorded request: LedgerRequest) {
    guard let method = UnlearningMethods.named(request.method) else { return nil }
    self.init(method, settings: request.update?.settings)
  }

  public var rawValue: String { method.name }
  public var description: String { method.name }

  /// Every registered method, with default settings.
  public static var allCases: [ForgetMethod] { UnlearningMethods.all.map { ForgetMethod($0) } }

  public static let sisa = ForgetMethod(SISAMethod.self)
  public static let retrain = ForgetMethod(RetrainMethod.self)
  public static let newton = ForgetMethod(NewtonMethod.self)
  public static let influence = ForgetMethod(InfluenceMethod.self)

  public static func == (a: ForgetMethod, b: ForgetMethod) -> Bool {
    a.rawValue == b.rawValue && a.settings == b.settings
  }

  /// The model-update method with its settings, validated; nil for a method that is not
  /// one.
  /// - Throws: `UnlearningError.invalidSetting` for a setting it does not have or a value
  ///   out of range.
  public func updateMethod() throws -> (any ModelUpdateMethod)? {
    guard let update = method as? any ModelUpdateMethod.Type else { return nil }
    return try update.make(settings: settings ?? .object([:]))
  }
}
