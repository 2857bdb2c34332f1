import Foundation

/// The options of one command line after parsing, with typed accessors that turn a bad
/// value into a usage error naming the option.
struct ParsedArguments {
  let spec: CommandSpec
  private(set) var values: [String: String] = [:]
  private(set) var flags: Set<String> = []

  /// Parses `arguments` (the words after the command name) against `spec`.
  /// Accepts `--name value`, `--name=value` and `--flag`; rejects unknown options, missing
  /// values, repeated options, positional words, and missing required options.
  init(_ arguments: [String], spec: CommandSpec) throws {
    self.spec = spec
    var i = 0
    while i < arguments.count {
      let word = arguments[i]
      guard word.hasPrefix("--"), word.count > 2 else {
        throw CLIError.usage("unexpected argument '\(word)'", command: spec)
      }
      var name = String(word.dropFirst(2))
      var inlineValue: String?
      if let eq = name.firstIndex(of: "=") {
        inlineValue = String(name[name.index(after: eq)...])
        name = String(name[..<eq])
      }
      guard let option = spec.option(named: name) else {
        var message = "unknown option '--\(name)'"
        if let guess = Self.closest(to: name, among: spec.allOptions.map(\.name)) {
          message += "; did you mean '--\(guess)'?"
        }
        throw CLIError.usage(message, command: spec)
      }
      if values[name] != nil || flags.contains(name) {
        throw CLIError.usage("option '--\(name)' given more than once", command: spec)
      }
      if option.isFlag {
        if inlineValue != nil {
          throw CLIError.usage("flag '--\(name)' takes no value", command: spec)
        }
        flags.insert(name)
      } else if let inlineValue {
        values[name] = inlineValue
      } else {
        guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else {
          throw CLIError.usage(
            "missing value for '--\(name) <\(option.valueName!)>'", command: spec)
        }
        values[name] = arguments[i + 1]
        i += 1
      }
      i += 1
    }
    for option in spec.allOptions where option.isRequired && values[option.name] == nil {
      throw CLIError.usage("missing '\(option.usageFragment)'", command: spec)
    }
  }

  /// Whether flag `--name` was given.
  func flag(_ name: String) -> Bool { flags.contains(name) }

  /// Whether `--name` was given at all.
  func has(_ name: String) -> Bool { values[name] != nil || flags.contains(name) }

  /// The raw value of `--name`, if given.
  func string(_ name: String) -> String? { values[name] }

  /// The value of a required option (the parser already checked it is present).
  func required(_ name: String) -> String { values[name]! }

  func int(_ name: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
    guard let text = values[name] else { return nil }
    guard let value = Int(text) else { throw invalid(name, text, "an integer") }
    if let range, !range.contains(value) {
      throw invalid(name, text, "an integer in \(range.lowerBound)...\(range.upperBound)")
    }
    return value
  }

  func uint64(_ name: String) throws -> UInt64? {
    guard let text = values[name] else { return nil }
    guard let value = UInt64(text) else { throw invalid(name, text, "a non-negative integer") }
    return value
  }

  func double(
    _ name: String, where valid: (Double) -> Bool = { _ in true }, expected: String = "a number"
  )
    throws -> Double?
  {
    guard let text = values[name] else { return nil }
    guard let value = Double(text), value.isFinite, valid(value) else {
      throw invalid(name, text, expected)
    }
    return value
  }

  /// A comma-separated list of integers, e.g. `--hidden 256,128`.
  func intList(_ name: String, minimum: Int = Int.min) throws -> [Int]? {
    guard let text = values[name] else { return nil }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    let numbers = parts.map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, numbers.allSatisfy({ $0 != nil && $0! >= minimum }) else {
      let what = minimum == Int.min ? "integers" : "integers ≥ \(minimum)"
      throw invalid(name, text, "a comma-separated list of \(what), e.g. 256,128")
    }
    return numbers.map { $0! }
  }

  /// One of an enum's raw values.
  func choice<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws -> E?
  where E.RawValue == String {
    guard let text = values[name] else { return nil }
    guard let value = E(rawValue: text) else {
      throw invalid(name, text, "one of " + E.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return value
  }

  func invalid(_ name: String, _ text: String, _ expected: String) -> CLIError {
    .usage("invalid value '\(text)' for '--\(name)': expected \(expected)", command: spec)
  }

  /// `--name`'s list of ids or ranges (`3,17,100-120`), expanded in the order written; a bad
  /// item is a usage error naming the option and the item.
  func idList(_ name: String) throws -> [UInt64]? {
    try numberList(name, noun: "id")
  }

  /// `--name`'s list of numbers or ranges in the shared syntax of `NumberList`.
  func numberList(_ name: String, noun: String, maximum: UInt64 = .max) throws -> [UInt64]? {
    guard let text = values[name] else { return nil }
    do {
      return try NumberList(noun: noun, maximum: maximum).values(text)
    } catch {
      throw CLIError.usage("invalid value for '--\(name)': \(error.description)", command: spec)
    }
  }

  /// The candidate closest to `word`, for "did you mean": the only one `word` begins, else
  /// the nearest by edit distance (a transposition counts one) within max(2, a third of
  /// `word`'s length); nil when nothing is that close.
  static func closest(to word: String, among candidates: [String]) -> String? {
    let extended = candidates.filter { $0.hasPrefix(word) && $0 != word }
    if word.count >= 2, extended.count == 1 { return extended[0] }
    let limit = max(2, word.count / 3)
    return
      candidates
      .map { ($0, editDistance(Array(word), Array($0))) }
      .filter { $0.1 <= limit }
      .min { $0.1 < $1.1 }?.0
  }

  /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
  /// neighbours each cost one.
  static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    // d[i][j]: the distance between a's first i and b's first j characters.
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        }
      }
    }
    return d[a.count][b.count]
  }
}
