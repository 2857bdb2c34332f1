/// Renders `--help` text in the sections of swift-argument-parser:
/// OVERVIEW, USAGE, option groups, SUBCOMMANDS, EXAMPLES.
enum HelpFormatter {
  static let width = 100
  static let labelColumn = 28

  static func help(for command: CommandSpec, subcommands: [CommandSpec] = []) -> String {
    var out = "OVERVIEW: \(command.abstract)\n"
    if let discussion = command.discussion { out += "\n" + wrap(discussion, indent: 0) + "\n" }
    out += "\nUSAGE: \(command.usage)\n"
    // Groups in order of first appearance; OPTIONS ends with the common options and --help.
    let options = command.allOptions
    var groups: [String] = []
    for option in options where !groups.contains(option.group) {
      groups.append(option.group)
    }
    if !groups.contains("OPTIONS") { groups.append("OPTIONS") }
    for group in groups {
      out += "\n\(group):\n"
      for option in options where option.group == group {
        out += row(label: option.usageFragment, text: option.helpText)
      }
      if group == "OPTIONS" { out += row(label: "-h, --help", text: "Show help information.") }
    }
    if !subcommands.isEmpty {
      out += "\nSUBCOMMANDS:\n"
      for sub in subcommands { out += row(label: sub.name, text: sub.abstract) }
      out += "\n  See 'expunge help <subcommand>' for detailed help.\n"
    }
    if !command.examples.isEmpty {
      out += "\nEXAMPLES:\n"
      for example in command.examples { out += "  \(example)\n" }
    }
    return out
  }

  /// `  label      text…` with the text wrapped in its column.
  static func row(label: String, text: String) -> String {
    let indent = String(repeating: " ", count: labelColumn)
    let lines = wrapLines(text, width: width - labelColumn)
    var out = "  " + label
    if label.count + 2 >= labelColumn - 1 {
      out += "\n" + indent
    } else {
      out += String(repeating: " ", count: labelColumn - 2 - label.count)
    }
    out += lines.joined(separator: "\n" + indent) + "\n"
    return out
  }

  static func wrap(_ text: String, indent: Int) -> String {
    let pad = String(repeating: " ", count: indent)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { paragraph in
      wrapLines(String(paragraph), width: width - indent).map { pad + $0 }.joined(separator: "\n")
    }.joined(separator: "\n")
  }

  static func wrapLines(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ") {
      if current.isEmpty {
        current = String(word)
      } else if current.count + 1 + word.count <= width {
        current += " " + word
      } else {
        lines.append(current)
        current = String(word)
      }
    }
    lines.append(current)
    return lines
  }
}
