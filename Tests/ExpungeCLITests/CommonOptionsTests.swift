import Foundation
import Testing

/// `--quiet` and `--json`, declared once for every command: `--quiet` prints nothing on
/// stdout and no progress (errors and warnings still go to stderr); `--json` prints one JSON
/// document on stdout and no progress.
@Suite("Common options: --quiet and --json")
struct CommonOptionsTests {
  static let data = "synthetic:n=120,d=4,classes=3,seed=5"
  static let test = "synthetic:n=60,d=4,classes=3,seed=6"

  /// Every command, run twice on fresh work: a model, a store, a deferred store. `variant` (0
  /// or 1) picks different ids and shards so both runs do work; predict writes its CSV to a
  /// file in the first (--quiet prints nothing) and its JSON to stdout in the second.
  static func commandLines(in dir: URL, variant: Int) -> [String: [String]] {
    let model = dir.appendingPathComponent("model").path
    let store = dir.appendingPathComponent("store").path
    let deferred = dir.appendingPathComponent("deferred").path
    let tiny = ["--model", "mlp", "--hidden", "4", "--epochs", "2"]
    return [
      "train": ["train", "--data", data, "--out", dir.appendingPathComponent("t\(variant)").path]
        + tiny,
      "evaluate": ["evaluate", "--model", model, "--data", test],
      "predict": ["predict", "--model", model, "--data", test]
        + (variant == 0 ? ["--output", dir.appendingPathComponent("p.csv").path] : []),
      "forget": ["forget", "--store", store, "--ids", variant == 0 ? "3,10,11" : "40,41"],
      "log": ["log", "--store", store, "--verify"],
      "audit": [
        "audit", "--store", store, "--data", data, "--test", test, "--attacks", "loss-threshold",
        "--oracle", "none", "--no-original",
      ],
      "shard-train": ["shard-train", "--store", deferred, "--shard", String(variant)],
      "datasets": ["datasets"],
      "split": [
        "split", "--data", data, "--out-train", dir.appendingPathComponent("a\(variant).csv").path,
        "--out-test", dir.appendingPathComponent("b\(variant).csv").path,
      ],
    ]
  }

  static func prepare(in dir: URL) {
    let tiny = ["--model", "mlp", "--hidden", "4", "--epochs", "2", "--quiet"]
    for arguments in [
      ["train", "--data", data, "--out", dir.appendingPathComponent("model").path] + tiny,
      ["train", "--data", data, "--store", dir.appendingPathComponent("store").path] + tiny,
      [
        "train", "--data", data, "--store", dir.appendingPathComponent("deferred").path,
        "--sisa-shards", "2", "--defer-training",
      ] + tiny,
    ] {
      let r = expunge(arguments)
      #expect(r.status == 0 && r.out.isEmpty && r.err.isEmpty, "\(arguments): \(r.err)")
    }
  }

  /// The commands the root's help lists, but `help`.
  static var commands: [String] {
    let help = expunge("--help").out
    let list = help.components(separatedBy: "\nSUBCOMMANDS:\n")[1]
      .components(separatedBy: "\n\n")[0]
    return list.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
      .filter { $0 != "help" }
  }

  @Test func everyCommandTakesQuietAndJSON() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    Self.prepare(in: dir)
    let quiet = Self.commandLines(in: dir, variant: 0)
    let json = Self.commandLines(in: dir, variant: 1)
    #expect(Set(quiet.keys) == Set(Self.commands), "a command without a case here")
    for command in Self.commands {
      let help = expunge(command, "--help").out
      #expect(help.contains("\n  --json ") && help.contains("\n  --quiet "), "\(command)")

      let q = expunge(quiet[command]! + ["--quiet"])
      #expect(q.status == 0, "\(command) --quiet: \(q.err)")
      #expect(q.out.isEmpty, "\(command) --quiet printed: \(q.out)")
      #expect(q.err.isEmpty, "\(command) --quiet printed on stderr: \(q.err)")

      let j = expunge(json[command]! + ["--json"])
      #expect(j.status == 0, "\(command) --json: \(j.err)")
      #expect(
        (try? JSONSerialization.jsonObject(with: Data(j.out.utf8))) != nil,
        "\(command) --json printed: \(j.out)")
      #expect(j.err.isEmpty, "\(command) --json printed on stderr: \(j.err)")
    }
  }

  @Test func quietWithJSONPrintsOnlyTheDocument() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = expunge(
      "train", "--data", Self.data, "--model", "softmax", "--out",
      dir.appendingPathComponent("m").path, "--json", "--quiet")
    #expect(r.status == 0 && r.err.isEmpty, "\(r.err)")
    let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
    #expect(json?["model"] as? String == "softmax")
  }

  @Test func deferredTrainingPrintsJSONToo() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = expunge(
      "train", "--data", Self.data, "--store", dir.appendingPathComponent("s").path,
      "--sisa-shards", "3", "--defer-training", "--json")
    #expect(r.status == 0, "\(r.err)")
    let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
    #expect(json?["shards"] as? Int == 3 && json?["trainingDeferred"] as? Bool == true)
  }

  /// The predictions are predict's only output: --quiet without --output would drop them.
  @Test func quietPredictNeedsAnOutputFile() {
    let r = expunge("predict", "--model", "m", "--data", Self.test, "--quiet")
    #expect(r.status == 64)
    #expect(
      r.err.hasPrefix(
        "Error: --quiet prints nothing on stdout, so the predictions need --output <file>\n"))
  }

  @Test func commonOptionsAreRefusedWhereTheyMeanNothing() {
    for arguments in [["--json"], ["help", "--quiet"]] {
      let r = expunge(arguments)
      #expect(r.status == 64, "\(arguments)")
    }
  }
}
