import ExpungeAudit
import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning

/// A failure the CLI reports on one line of stderr, with its exit code:
/// 64 for a bad command line, 65 for bad data or a refused request, 1 for anything else
/// (BSD `sysexits.h`: EX_USAGE, EX_DATAERR).
enum CLIError: Error {
  /// The command line is wrong: prints `Error:`, the usage line and a pointer to `--help`.
  case usage(String, command: CommandSpec)
  /// The data or the request is wrong.
  case data(String)
  /// Anything else (I/O failure, divergence).
  case failure(String)

  var exitCode: Int32 {
    switch self {
    case .usage: 64
    case .data: 65
    case .failure: 1
    }
  }

  /// The lines to print on stderr.
  var lines: [String] {
    switch self {
    case .usage(let message, let command):
      return [
        "Error: \(message)", "Usage: \(command.usage)",
        "See '\(command.fullName) --help' for more information.",
      ]
    case .data(let message), .failure(let message):
      return ["Error: \(message)"]
    }
  }

  /// Runs `body`, which trains on data from `source` (a file, a dataset name, a store), and
  /// names `source` in a training-data error the model raises — a model only knows "the
  /// data": "rows.csv: SoftmaxRegression: needs at least 2 classes, the data has 1".
  static func naming<T>(_ source: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as ModelError {
      switch error {
      case .invalidTrainingData:
        throw CLIError.data("\(source): \(error.description)")
      case .needsTwoClasses:
        throw CLIError.data("\(source): \(error.commandLineWording)")
      default: throw error
      }
    }
  }

  /// Maps an error from any module to the CLI's classes of failure.
  static func from(_ error: Error) -> CLIError {
    switch error {
    case let e as CLIError: return e
    case let e as DataError: return .data(e.description)
    case let e as RowChangeError: return .data(e.commandLineWording)
    case let e as ModelError:
      switch e {
      case .io, .diverged: return .failure(e.description)
      default: return .data(e.commandLineWording)
      }
    case let e as CoreError: return .data(e.description)
    case let e as StoreError:
      switch e {
      case .corrupt: return .failure(e.description)
      case .refused(let refusal): return .data(refusal.commandLineWording)
      case .exists(let path):
        return .data("\(path): exists and is not empty; choose another --store or remove it")
      default: return .data(e.description)
      }
    case let e as UnlearningError: return .data(e.description)
    case let e as AuditError: return .data(e.description)
    case let e as AtomicFile.Failure: return .failure(e.description)
    default: return .failure(String(describing: error))
    }
  }
}

extension ModelError {
  /// The error in the command line's words, naming the options that get past it.
  var commandLineWording: String {
    guard case .needsTwoClasses(let model, let found) = self else { return description }
    return
      "\(model): binary logistic regression needs 2 classes, the data has \(found); choose two with --classes (e.g. --classes 0,6) or use --model softmax"
  }
}
