import Foundation
import Testing

@Suite("Command line: help, version, usage errors")
struct CommandLineParsingTests {
  @Test func versionPrintsTheVersion() {
    let r = expunge("--version")
    #expect(r.status == 0)
    #expect(r.out == "expunge 0.1.0\n")
  }

  static let rootUsage =
    "expunge (train | evaluate | predict | forget | log | audit | shard-train | datasets | split | help) [<options>]"

  @Test(arguments: [[], ["--help"], ["-h"], ["help"]])
  func rootHelpListsEverySubcommand(arguments: [String]) {
    let r = expunge(arguments)
    #expect(r.status == 0)
    #expect(r.out.hasPrefix("OVERVIEW: "))
    #expect(r.out.contains("\nUSAGE: \(Self.rootUsage)\n"))
    for command in ["train", "evaluate", "predict", "datasets", "help"] {
      #expect(r.out.contains("\n  \(command) "), "missing \(command) in root help")
    }
    #expect(r.err.isEmpty)
  }

  @Test(arguments: [
    "train", "evaluate", "predict", "forget", "log", "audit", "shard-train", "datasets", "split",
  ])
  func everyCommandHasHelpWithAnExample(command: String) throws {
    let viaFlag = expunge(command, "--help")
    let viaHelp = expunge("help", command)
    #expect(viaFlag.status == 0)
    #expect(viaFlag.out == viaHelp.out)
    let text = viaFlag.out
    #expect(text.hasPrefix("OVERVIEW: "))
    #expect(text.contains("USAGE: expunge \(command)"))
    #expect(text.components(separatedBy: "\nOPTIONS:\n").count == 2, "one OPTIONS section")
    // The common options close OPTIONS, before --help.
    #expect(text.contains("\n  --json "))
    #expect(text.contains("  -h, --help"))
    let json = try #require(text.range(of: "\n  --json "))
    let quiet = try #require(text.range(of: "\n  --quiet "))
    let help = try #require(text.range(of: "\n  -h, --help"))
    #expect(json.lowerBound < quiet.lowerBound && quiet.lowerBound < help.lowerBound)
    #expect(text.contains("EXAMPLES:\n  expunge \(command)"))
    // Every option's help is a sentence: it ends with a period or a (default:/values:) note.
    for line in text.split(separator: "\n") where line.hasPrefix("  --") && line.count > 30 {
      let help = line.dropFirst(28)
      #expect(help.first?.isUppercase == true, "help should start with a capital: \(line)")
    }
  }

  @Test func trainHelpShowsDefaultsAndValues() {
    let text = expunge("train", "--help").out
    #expect(text.contains("--model <kind>"))
    // The help wraps at 100 columns; compare with the wrapping undone.
    let flat = text.replacingOccurrences(of: "\n                            ", with: " ")
    #expect(
      flat.contains(
        "(values: logistic, softmax, ridge, mlp, cnn, certified-logistic) (default: mlp)"))
    #expect(text.contains("CERTIFIED REMOVAL OPTIONS:") && text.contains("BACKDOOR OPTIONS:"))
    #expect(text.contains("--batch-size <b>"))
    #expect(text.contains("(default: 128)"))
    #expect(text.contains("MODEL OPTIONS:"))
    #expect(text.contains("DATA OPTIONS:"))
  }

  @Test func unknownOptionSuggestsTheClosestOne() {
    let r = expunge("train", "--data", "fashion-mnist", "--out", "x", "--epoch", "3")
    #expect(r.status == 64)
    #expect(
      r.err == """
        Error: unknown option '--epoch'; did you mean '--epochs'?
        Usage: expunge train --data <spec> (--out <dir> | --store <dir>) [<options>]
        See 'expunge train --help' for more information.

        """)
    #expect(r.out.isEmpty)
  }

  @Test func unknownCommandIsAUsageError() {
    let r = expunge("trian")
    #expect(r.status == 64)
    #expect(
      r.err == """
        Error: unknown command 'trian'; did you mean 'train'?
        Usage: \(Self.rootUsage)
        See 'expunge --help' for more information.

        """)
    #expect(r.out.isEmpty)
  }

  /// Before a command only the root's options: --version, --help.
  @Test func rootOptionsAreTheRootsOwn() {
    let r = expunge("--json")
    #expect(r.status == 64)
    #expect(
      r.err == """
        Error: unknown option '--json'
        Usage: \(Self.rootUsage)
        See 'expunge --help' for more information.

        """)
  }

  /// The closest command by edit distance (a swap of neighbours counts one), or the only one
  /// the word begins; nothing when no command is close.
  @Test(
    arguments: [
      ("frget", "forget"), ("forgte", "forget"), ("evalute", "evaluate"), ("eval", "evaluate"),
      ("shard", "shard-train"), ("shardtrain", "shard-train"), ("lgo", "log"),
      ("dataset", "datasets"), ("hepl", "help"), ("Train", "train"), ("predcit", "predict"),
      ("delete", nil), ("x", nil),
    ] as [(String, String?)])
  func unknownCommandNamesTheClosestOne(word: String, guess: String?) {
    let r = expunge(word)
    #expect(r.status == 64)
    let first = r.err.split(separator: "\n").first.map(String.init)
    #expect(
      first
        == "Error: unknown command '\(word)'" + (guess.map { "; did you mean '\($0)'?" } ?? ""))
  }

  @Test func outOverAModelIsRefusedUnlessForced() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("m").path
    let train = ["train", "--data", "synthetic:n=60,d=3", "--model", "softmax", "--out", out]
    #expect(expunge(train + ["--quiet"]).status == 0)
    let weights = try Data(contentsOf: URL(fileURLWithPath: out + "/weights.safetensors"))
    let again = expunge(train + ["--seed", "1"])
    #expect(again.status == 65)
    #expect(
      again.err
        == "Error: \(out): exists and holds a model; choose another --out, remove it or add --force\n"
    )
    #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/weights.safetensors")) == weights)
    let forced = expunge(train + ["--seed", "1", "--force", "--quiet"])
    #expect(forced.status == 0, "\(forced.err)")

    // --force replaces a model, never anything else, and has no meaning for a store.
    let other = dir.appendingPathComponent("notes")
    try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
    try Data("keep".utf8).write(to: other.appendingPathComponent("notes.txt"))
    let r = expunge(
      ["train", "--data", "synthetic:n=60,d=3", "--out", other.path, "--force", "--quiet"])
    #expect(r.status == 65 && r.err.contains("holds no model"), "\(r.err)")
    let store = expunge(
      [
        "train", "--data", "synthetic:n=60,d=3", "--store", dir.appendingPathComponent("s").path,
        "--force",
      ])
    #expect(store.status == 64)
    #expect(store.err.hasPrefix("Error: option '--force' cannot be used with --store\n"))
  }

  @Test func missingRequiredOption() {
    let r = expunge("train", "--data", "fashion-mnist")
    #expect(r.status == 64)
    #expect(r.err.hasPrefix("Error: missing '--out <dir>' (or '--store <dir>')\n"))
  }

  @Test func missingValue() {
    let r = expunge("train", "--out", "x", "--data")
    #expect(r.status == 64)
    #expect(r.err.hasPrefix("Error: missing value for '--data <spec>'\n"))
  }

  @Test func repeatedOption() {
    let r = expunge("train", "--data", "a", "--data", "b", "--out", "x")
    #expect(r.status == 64)
    #expect(r.err.hasPrefix("Error: option '--data' given more than once\n"))
  }

  @Test func positionalArgumentIsRejected() {
    let r = expunge("evaluate", "runs/mlp")
    #expect(r.status == 64)
    #expect(r.err.hasPrefix("Error: unexpected argument 'runs/mlp'\n"))
  }

  @Test(
    arguments: [
      (["--epochs", "zero"], "Error: invalid value 'zero' for '--epochs': expected an integer"),
      (
        ["--epochs", "0"],
        "Error: invalid value '0' for '--epochs': expected an integer in 1...100000"
      ),
      (
        ["--hidden", "256,,128"],
        "Error: invalid value '256,,128' for '--hidden': expected a comma-separated list of integers ≥ 1, e.g. 256,128"
      ),
      (
        ["--optimizer", "rmsprop"],
        "Error: invalid value 'rmsprop' for '--optimizer': expected one of adam, sgd"
      ),
      (["--lr", "-1"], "Error: invalid value '-1' for '--lr': expected a number > 0"),
      (["--lr", "nan"], "Error: invalid value 'nan' for '--lr': expected a number > 0"),
      (
        ["--momentum", "1"],
        "Error: invalid value '1' for '--momentum': expected a number in [0, 1)"
      ),
      (
        ["--l2", "auto"],
        "Error: invalid value 'auto' for '--l2': expected a number ≥ 0 for the MLP ('auto' is for logistic, softmax and ridge)"
      ),
      (["--tolerance", "1e-6"], "Error: option '--tolerance' does not apply to --model mlp"),
      (
        ["--model", "svm"],
        "Error: invalid value 'svm' for '--model': expected one of logistic, softmax, ridge, mlp, cnn, certified-logistic"
      ),
      (
        ["--seed", "-3"], "Error: invalid value '-3' for '--seed': expected a non-negative integer"
      ),
      (
        ["--classes", "3"],
        "Error: invalid value '3' for '--classes': expected two or more distinct class labels, e.g. 0,6"
      ),
    ] as [([String], String)])
  func invalidValuesAreUsageErrorsBeforeAnyWork(extra: [String], message: String) {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("model").path
    let r = expunge(["train", "--data", "synthetic:n=50,d=3", "--out", out] + extra)
    #expect(r.status == 64)
    #expect(r.err.split(separator: "\n").first.map(String.init) == message)
    #expect(!FileManager.default.fileExists(atPath: out), "a refused command wrote its output")
  }
}
