import ExpungeCore
import Foundation

/// The `expunge` command tree. `main()` is the executable; `run(_:console:)` is the same
/// thing in-process, for tests.
public enum ExpungeCommandLine {
  /// The version printed by `expunge --version` and recorded in saved models and stores.
  public static var version: String { ExpungeVersion.current }

  static let commands: [any Command.Type] = [
    TrainCommand.self, EvaluateCommand.self, PredictCommand.self, ForgetCommand.self,
    LogCommand.self, AuditCommand.self, ShardTrainCommand.self, DatasetsCommand.self,
    SplitCommand.self,
  ]

  /// What can follow `expunge`: every command, then `help`.
  static var commandNames: [String] { commands.map { $0.spec.name } + [helpSpec.name] }

  static let root = CommandSpec(
    name: "",
    abstract:
      "Remove the influence of chosen training data from trained models, and show what is left.",
    options: [.flag("version", "Show the version.")],
    examples: [
      "expunge train --data fashion-mnist --model mlp --hidden 256 --epochs 10 --out runs/mlp",
      "expunge evaluate --model runs/mlp --data fashion-mnist:test",
      "expunge train --data fashion-mnist --model mlp --store runs/fm --sisa-shards 5 --sisa-slices 4",
      "expunge forget --store runs/fm --ids 3,17",
      "expunge help train",
    ], alternatives: "(" + commandNames.joined(separator: " | ") + ")",
    takesCommonOptions: false)

  static let helpSpec = CommandSpec(
    name: "help", abstract: "Show help for a command.", options: [],
    examples: ["expunge help train"], takesCommonOptions: false)

  /// Runs the process's command line and exits with the command's status.
  public static func main() -> Never {
    let status = run(Array(CommandLine.arguments.dropFirst()), console: .standard)
    exit(status)
  }

  /// Runs `arguments` (without the program name) and returns the exit status.
  public static func run(_ arguments: [String], console recording: RecordingConsole) -> Int32 {
    run(arguments, console: recording.console)
  }

  static func run(_ arguments: [String], console: Console) -> Int32 {
    do {
      try dispatch(arguments, console: console)
      return 0
    } catch {
      let failure = CLIError.from(error)
      for line in failure.lines { console.printError(line) }
      return failure.exitCode
    }
  }

  private static func dispatch(_ arguments: [String], console: Console) throws {
    let subcommandSpecs = commands.map { $0.spec } + [helpSpec]
    let rootHelp = HelpFormatter.help(for: root, subcommands: subcommandSpecs)
    guard let first = arguments.first else {
      console.writeOut(rootHelp)
      return
    }
    switch first {
    case "--help", "-h":
      console.writeOut(rootHelp)
    case _ where first.hasPrefix("-"):
      // The root's own options: only --version.
      if try ParsedArguments(arguments, spec: root).flag("version") {
        console.print("expunge \(version)")
      }
    case "help":
      guard arguments.count <= 2 else {
        throw CLIError.usage("'help' takes at most one command name", command: helpSpec)
      }
      if arguments.count == 1 {
        console.writeOut(rootHelp)
      } else {
        console.writeOut(HelpFormatter.help(for: try command(named: arguments[1]).spec))
      }
    default:
      let command = try command(named: first)
      let rest = Array(arguments.dropFirst())
      if rest.contains("--help") || rest.contains("-h") {
        console.writeOut(HelpFormatter.help(for: command.spec))
        return
      }
      let parsed = try ParsedArguments(rest, spec: command.spec)
      try command.run(parsed, console: console.applying(parsed))
    }
  }

  /// The command `name`, or a usage error naming the closest command.
  private static func command(named name: String) throws -> any Command.Type {
    if let command = commands.first(where: { $0.spec.name == name }) { return command }
    var message = "unknown command '\(name)'"
    if let guess = ParsedArguments.closest(to: name, among: commandNames) {
      message += "; did you mean '\(guess)'?"
    }
    throw CLIError.usage(message, command: root)
  }
}
