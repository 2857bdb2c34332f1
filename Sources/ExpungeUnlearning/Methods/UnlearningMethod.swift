import ExpungeCore
import ExpungeData
import ExpungeModels

/// What an unlearning method promises about the model it leaves.
public enum UnlearningGuarantee: String, Codable, Sendable, CaseIterable {
  /// The model is, bit for bit, what training without the rows gives.
  case exact
  /// The model is (ε, δ)-indistinguishable from one trained without the rows.
  case certified
  /// The rows' influence is reduced, with no bound: the audit measures what is left.
  case approximate
}

/// An unlearning method: its name (`expunge forget --method NAME`), its guarantee and the
/// models it applies to. `UnlearningMethods.all` registers each. How a store carries a
/// method out follows from what it is: SISA retraining and full retraining are the store's
/// own (`SISAMethod`, `RetrainMethod`); a `ModelUpdateMethod` updates each affected shard's
/// model through one generic path.
public protocol UnlearningMethod: Sendable {
  /// `--method` name, and what the ledger records.
  static var name: String { get }
  /// What it promises.
  static var guarantee: UnlearningGuarantee { get }
  /// One line for `--help`: what it does, and after whom.
  static var summary: String { get }
  /// Why it cannot apply to models configured as `configuration`; nil when it can.
  static func refusal(for configuration: ModelConfiguration) -> String?
}

/// A method's settings: plain `Codable` values whose `init()` holds the defaults.
public protocol MethodSettings: Codable, Sendable, Hashable {
  init()
}

/// A method that updates a trained model in place from the rows to forget and the rows to
/// keep — the shape of every approximate method (fine-tuning, gradient ascent, …). A store
/// applies it to each affected shard (see `ShardModelUpdate`), records its settings with
/// the request before any work and each shard's report with the result, in the hash chain;
/// the audit replays it through the same registry.
public protocol ModelUpdateMethod: UnlearningMethod {
  associatedtype Settings: MethodSettings
  associatedtype Report: Codable, Sendable
  /// The settings it runs with.
  var settings: Settings { get }
  /// The method with `settings`.
  /// - Throws: `UnlearningError.invalidSetting` naming the setting out of range.
  init(settings: Settings) throws
  /// `model`, trained on `forget` ∪ `retain`, updated to forget the rows of `forget`.
  /// `seed` seeds every random choice. The returned model has `model`'s configuration.
  /// - Throws: `UnlearningError.unsupportedModel` for a model it cannot update.
  func apply(
    to model: any Classifier, forgetting forget: Dataset, retaining retain: Dataset,
    seed: UInt64
  ) throws -> (model: any Classifier, report: Report)
}

extension ModelUpdateMethod {
  /// The method with the settings recorded as `json` (keys left out keep their defaults).
  public static func make(settings json: JSONValue) throws -> any ModelUpdateMethod {
    let defaults = try JSONValue(encoding: Settings())
    guard case .object(var merged) = defaults, case .object(let given) = json else {
      throw UnlearningError.invalidSetting(
        name: "settings", value: "\(json)", expected: "an object of \(name)'s settings")
    }
    for (key, value) in given {
      guard merged[key] != nil else {
        throw UnlearningError.invalidSetting(
          name: key, value: "\(value)",
          expected: "a setting of \(name): " + merged.keys.sorted().joined(separator: ", "))
      }
      merged[key] = value
    }
    do {
      return try Self(settings: try JSONValue.object(merged).decode(Settings.self))
    } catch let error as UnlearningError {
      throw error
    } catch {
      throw UnlearningError.invalidSetting(
        name: "settings", value: "\(JSONValue.object(given))",
        expected: "values of the types of \(name)'s settings: \(defaults)")
    }
  }

  /// The names of its settings, sorted.
  public static var settingNames: [String] {
    guard case .object(let defaults) = try? JSONValue(encoding: Settings()) else { return [] }
    return defaults.keys.sorted()
  }

  /// The settings as JSON.
  public var settingsJSON: JSONValue { (try? JSONValue(encoding: settings)) ?? .null }
}
