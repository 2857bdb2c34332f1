import Foundation

/// One hyperparameter as the command line sets it (`--name value`), declared by its family
/// (`ModelFamily.commandLineOptions`): `expunge train` learns every family's options, their
/// help and which `--model` each applies to from the registry.
public struct HyperparameterOption: Sendable {
  /// The option's name, without the dashes.
  public let name: String
  /// What the value is, for the usage line: `<n>`, `<sizes>`.
  public let valueName: String
  public let help: String
  /// The family's default, as text.
  public let defaultValue: String
  /// The values it takes, when they are a fixed set.
  public let values: [String]?
  private let set: @Sendable (any ModelFamily, String) throws -> any ModelFamily

  /// Why a value was not taken: what the option expects.
  public struct Invalid: Error, Equatable {
    public let expected: String
  }

  /// An option that parses its text with `parse` (throwing `Invalid` with what it expects)
  /// and stores the value with `assign`.
  public init<Family: ModelFamily, Value>(
    _ name: String, valueName: String, help: String, defaultValue: String,
    values: [String]? = nil, of family: Family.Type,
    parse: @escaping @Sendable (String) throws -> Value,
    assign: @escaping @Sendable (inout Family, Value) -> Void
  ) {
    self.name = name
    self.valueName = valueName
    self.help = help
    self.defaultValue = defaultValue
    self.values = values
    set = { hyperparameters, text in
      guard var typed = hyperparameters as? Family else { return hyperparameters }
      assign(&typed, try parse(text))
      return typed
    }
  }

  /// `hyperparameters` with this option set from `text`.
  /// - Throws: `Invalid` for a value the option does not take.
  public func applying(_ text: String, to hyperparameters: any ModelFamily) throws
    -> any ModelFamily
  {
    try set(hyperparameters, text)
  }
}

extension HyperparameterOption {
  /// A number that `isValid` accepts.
  public static func number<Family: ModelFamily>(
    _ name: String, valueName: String = "x", help: String, of family: Family.Type,
    default value: Double, expected: String, where isValid: @escaping @Sendable (Double) -> Bool,
    assign: @escaping @Sendable (inout Family, Double) -> Void
  ) -> HyperparameterOption {
    HyperparameterOption(
      name, valueName: valueName, help: help, defaultValue: Self.text(value), of: family,
      parse: { text in
        guard let number = Double(text), number.isFinite, isValid(number) else {
          throw Invalid(expected: expected)
        }
        return number
      }, assign: assign)
  }

  /// An integer in `range`.
  public static func integer<Family: ModelFamily>(
    _ name: String, valueName: String = "n", help: String, of family: Family.Type,
    default value: Int, in range: ClosedRange<Int>,
    assign: @escaping @Sendable (inout Family, Int) -> Void
  ) -> HyperparameterOption {
    HyperparameterOption(
      name, valueName: valueName, help: help, defaultValue: String(value), of: family,
      parse: { text in
        guard let number = Int(text) else { throw Invalid(expected: "an integer") }
        guard range.contains(number) else {
          throw Invalid(expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
      }, assign: assign)
  }

  /// One of the cases of `Choice`.
  public static func choice<Family: ModelFamily, Choice>(
    _ name: String, valueName: String = "name", help: String, of family: Family.Type,
    default value: Choice, assign: @escaping @Sendable (inout Family, Choice) -> Void
  ) -> HyperparameterOption
  where Choice: RawRepresentable & CaseIterable & Sendable, Choice.RawValue == String {
    let names = Choice.allCases.map(\.rawValue)
    return HyperparameterOption(
      name, valueName: valueName, help: help, defaultValue: value.rawValue, values: names,
      of: family,
      parse: { text in
        guard let choice = Choice(rawValue: text) else {
          throw Invalid(expected: "one of " + names.joined(separator: ", "))
        }
        return choice
      }, assign: assign)
  }

  /// Positive integers, comma-separated.
  public static func integerList<Family: ModelFamily>(
    _ name: String, valueName: String = "sizes", help: String, of family: Family.Type,
    default value: [Int], assign: @escaping @Sendable (inout Family, [Int]) -> Void
  ) -> HyperparameterOption {
    HyperparameterOption(
      name, valueName: valueName, help: help,
      defaultValue: value.map(String.init).joined(separator: ","), of: family,
      parse: { text in
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
          Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !items.isEmpty, items.allSatisfy({ ($0 ?? 0) >= 1 }) else {
          throw Invalid(expected: "a comma-separated list of integers ≥ 1, e.g. 256,128")
        }
        return items.map { $0! }
      }, assign: assign)
  }

  /// `1e-04` → `0.0001`-style short text: what a user would type.
  static func text(_ value: Double) -> String {
    if value != 0, abs(value) < 1e-3 {
      let exponent = Int(log10(abs(value)).rounded(.down))
      let mantissa = value / pow(10, Double(exponent))
      if abs(mantissa.rounded() - mantissa) < 1e-9 {
        return "\(Int(mantissa.rounded()))e\(exponent)"
      }
    }
    return value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}
