/// One `expunge` subcommand: its declared shape and what it does.
protocol Command: Sendable {
  /// Options, help and examples.
  static var spec: CommandSpec { get }
  /// Validates and runs. Throws `CLIError` (or a module error, mapped by `CLIError.from`).
  static func run(_ arguments: ParsedArguments, console: Console) throws
}
