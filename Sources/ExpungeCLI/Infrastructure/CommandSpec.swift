/// The declared shape of one command: what `--help` prints and what the parser accepts.
///
/// Commands are data, not code paths: the parser, the help text and the error messages all
/// come from the same `CommandSpec`, so they cannot drift apart.
struct CommandSpec: Sendable {
  /// The command's name after `expunge` (empty for the root).
  var name: String
  /// One sentence, shown after OVERVIEW: and in the root's SUBCOMMANDS list.
  var abstract: String
  /// Extra paragraphs after the overview.
  var discussion: String? = nil
  /// The options it takes, in help order.
  var options: [OptionSpec]
  /// Example invocations, shown under EXAMPLES:.
  var examples: [String]
  /// A choice the usage line spells out, e.g. `(--out <dir> | --store <dir>)`.
  var alternatives: String? = nil
  /// What `--json` prints, in the words of this command's help.
  var jsonHelp = "Print the result as one JSON document on stdout."
  /// Whether it takes the options every subcommand takes (`--json`, `--quiet`); false for the
  /// root and `help`.
  var takesCommonOptions = true

  /// `expunge train` etc.
  var fullName: String { name.isEmpty ? "expunge" : "expunge \(name)" }

  /// The USAGE line: required options spelled out, the rest as `[<options>]`.
  var usage: String {
    let required = options.filter(\.isRequired).map { $0.usageFragment }
    let optional = allOptions.contains { !$0.isRequired } ? ["[<options>]"] : []
    return ([fullName] + required + (alternatives.map { [$0] } ?? []) + optional).joined(
      separator: " ")
  }

  /// The options every subcommand takes, declared once here: `--json` and `--quiet`. The
  /// dispatcher applies them (`Console.applying(_:)`), so a command only reads `--json` to
  /// choose what it prints.
  var commonOptions: [OptionSpec] {
    guard takesCommonOptions else { return [] }
    return [
      .flag("json", jsonHelp),
      .flag(
        "quiet",
        "No progress, and nothing on stdout but a --json document; errors and warnings still show."
      ),
    ]
  }

  /// The command's own options, then the common ones: what the parser accepts.
  var allOptions: [OptionSpec] { options + commonOptions }

  func option(named name: String) -> OptionSpec? { allOptions.first { $0.name == name } }
}

/// One `--kebab-case` option. A nil `valueName` makes it a flag.
struct OptionSpec: Sendable {
  var name: String
  var valueName: String?
  var help: String
  var defaultValue: String? = nil
  var values: [String]? = nil
  var isRequired: Bool = false
  /// Options shown under their own heading (e.g. "DATA OPTIONS").
  var group: String = "OPTIONS"

  var isFlag: Bool { valueName == nil }

  var usageFragment: String {
    isFlag ? "--\(name)" : "--\(name) <\(valueName!)>"
  }

  /// `Help text. (default: 128)` / `(values: adam, sgd)`.
  var helpText: String {
    var text = help
    if let values { text += " (values: \(values.joined(separator: ", ")))" }
    if let defaultValue { text += " (default: \(defaultValue))" }
    return text
  }

  static func flag(_ name: String, _ help: String, group: String = "OPTIONS") -> OptionSpec {
    OptionSpec(name: name, valueName: nil, help: help, group: group)
  }
}
