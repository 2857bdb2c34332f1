import Foundation

/// Where a command writes: stdout for results, stderr for progress and errors.
///
/// Injected so tests run commands in-process and compare the exact text.
struct Console: Sendable {
  var writeOut: @Sendable (String) -> Void
  var writeErr: @Sendable (String) -> Void
  /// Whether stderr is a terminal (progress bars redraw in place only then).
  var errIsTerminal: Bool
  /// Whether progress bars draw at all (off with `--quiet` or `--json`).
  var showsProgress = true

  /// The process's real stdout and stderr.
  static var standard: Console {
    Console(
      writeOut: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
      writeErr: { text in FileHandle.standardError.write(Data(text.utf8)) },
      errIsTerminal: isatty(2) == 1)
  }

  /// This console as the common options set it up for one command: `--quiet` drops stdout
  /// (unless `--json` asks for the document) and, like `--json`, progress; stderr's errors and
  /// warnings stay.
  func applying(_ arguments: ParsedArguments) -> Console {
    var console = self
    let (quiet, json) = (arguments.flag("quiet"), arguments.flag("json"))
    if quiet || json { console.showsProgress = false }
    if quiet && !json { console.writeOut = { _ in } }
    return console
  }

  /// Prints one line on stdout.
  func print(_ line: String = "") { writeOut(line + "\n") }
  /// Prints one line on stderr.
  func printError(_ line: String) { writeErr(line + "\n") }
}

/// A console that records everything, for tests.
public final class RecordingConsole: @unchecked Sendable {
  private let lock = NSLock()
  private var outText = ""
  private var errText = ""
  public init() {}

  /// Everything written to stdout.
  public var out: String { lock.withLock { outText } }
  /// Everything written to stderr.
  public var err: String { lock.withLock { errText } }

  var console: Console {
    Console(
      writeOut: { [self] text in lock.withLock { outText += text } },
      writeErr: { [self] text in lock.withLock { errText += text } },
      errIsTerminal: false)
  }
}
