import ExpungeCore
import ExpungeData
import Foundation
import Testing

/// `train --store --permanent-ids`: a store over a shared base on rows that are never
/// forgotten. Forgetting the other rows stays exact (byte-identical to a store trained on
/// the file without them, with the same permanent set); permanent rows are refused unless
/// the request retrains everything.
@Suite("Stores over a shared base")
struct PermanentStoreTests {
  /// Permanent: the rows whose id is 0 mod 4 (75 of the 300).
  static func permanentIDs(without removed: Set<Int> = []) -> [Int] {
    (0..<300).filter { $0 % 4 == 0 && !removed.contains($0) }.map { 1000 + $0 }
  }

  static func writePermanent(_ ids: [Int], in dir: URL, name: String) throws -> String {
    let url = dir.appendingPathComponent(name)
    try ("# never forgotten\n" + ids.map(String.init).joined(separator: "\n") + "\n").write(
      to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  static func train(_ csv: String, store: URL, kind: String, permanent: String) {
    let model =
      kind == "mlp"
      ? ["--model", "mlp", "--hidden", "6", "--epochs", "4", "--batch-size", "16"]
      : ["--model", "softmax", "--l2", "1e-2"]
    let r = expunge(
      [
        "train", "--data", csv, "--id-column", "id", "--store", store.path, "--sisa-shards", "3",
        "--sisa-slices", "2", "--permanent-ids", permanent, "--quiet",
      ] + model)
    #expect(r.status == 0, "\(r.err)")
  }

  /// Every weights and optimizer file of a store's version `version` and its checkpoints,
  /// the base's included, under names that do not carry the version (`config.json` names
  /// the data file, which differs).
  static func modelFiles(_ store: URL, version: Int) -> [String: Data] {
    CrashSafetyTests.contents(store).filter {
      ($0.key.hasPrefix("checkpoints/") || $0.key.hasPrefix("models/v\(version)/"))
        && $0.key.hasSuffix(".safetensors")
    }.reduce(into: [:]) {
      $0[$1.key.replacingOccurrences(of: "models/v\(version)/", with: "models/")] = $1.value
    }
  }

  @Test(arguments: ["mlp", "softmax"])
  func forgettingEqualsTrainingOnTheFileWithoutTheRows(kind: String) throws {
    let dir = temporaryDirectory("\(#function)-\(kind)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let removed: Set<Int> = [1, 3, 42, 151, 299]
    let permanent = try Self.writePermanent(Self.permanentIDs(), in: dir, name: "permanent.txt")
    let full = try StoreCommandTests.csv(in: dir, name: "full.csv")
    let edited = try StoreCommandTests.csv(without: removed, in: dir, name: "edited.csv")
    let a = dir.appendingPathComponent("a")
    let b = dir.appendingPathComponent("b")
    Self.train(full, store: a, kind: kind, permanent: permanent)
    Self.train(edited, store: b, kind: kind, permanent: permanent)
    let trained = Self.modelFiles(a, version: 1)
    #expect(trained["checkpoints/base/weights.safetensors"] != nil)
    let ids = removed.sorted().map { String(1000 + $0) }
    // A single request, then a batch (one id repeated).
    let first = expunge("forget", "--store", a.path, "--ids", ids[0])
    #expect(first.status == 0, "\(first.err)")
    let second = expunge(
      "forget", "--store", a.path, "--ids", ids.joined(separator: ","), "--json")
    #expect(second.status == 0, "\(second.err)")
    #expect(second.out.contains("\"removed\" : 4"))
    let mine = Self.modelFiles(a, version: 3)
    let theirs = Self.modelFiles(b, version: 1)
    #expect(mine.count == theirs.count && mine.count > 6)
    for (path, bytes) in theirs {
      #expect(mine[path] == bytes, "\(path) differs")
    }
    // The base never saw a forgotten row: it is the one trained before any request.
    #expect(
      mine["checkpoints/base/weights.safetensors"]
        == trained["checkpoints/base/weights.safetensors"])
    let log = expunge("log", "--store", a.path, "--verify")
    #expect(log.status == 0, "\(log.err)")
  }

  @Test func permanentRowsAreRefusedWithNothingChanged() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let permanent = try Self.writePermanent(Self.permanentIDs(), in: dir, name: "permanent.txt")
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let store = dir.appendingPathComponent("s")
    Self.train(csv, store: store, kind: "softmax", permanent: permanent)
    let before = CrashSafetyTests.comparable(CrashSafetyTests.contents(store))
    func refused(_ arguments: [String], _ status: Int32, _ message: String) {
      let r = expunge(arguments)
      #expect(r.status == status, "\(arguments): \(r.err)")
      #expect(r.err.split(separator: "\n").first.map(String.init) == "Error: \(message)")
    }
    refused(
      ["forget", "--store", store.path, "--ids", "1004,1005"], 65,
      "id 1004 is a permanent row (train --permanent-ids): the store's base was trained on it and every shard starts from the base, so only retraining everything can forget; use --method retrain"
    )
    refused(
      ["forget", "--store", store.path, "--class", "0"], 65,
      "23 ids are permanent rows (1000, 1048, 1096, 1108, 1120, 1128, 1132, 1144, 1148, 1152, …) (train --permanent-ids): the store's base was trained on them and every shard starts from the base, so only retraining everything can forget; use --method retrain"
    )
    refused(
      ["forget", "--store", store.path, "--ids", "1001", "--method", "newton"], 65,
      "--method newton updates shard models in place, but this store's shards build on a base trained on permanent rows (train --permanent-ids); use --method sisa or --method retrain"
    )
    refused(
      ["forget", "--store", store.path, "--relabel", "1000:1"], 65,
      "id 1000 is a permanent row (train --permanent-ids): the store's base was trained on it, and this store cannot correct permanent rows"
    )
    #expect(CrashSafetyTests.comparable(CrashSafetyTests.contents(store)) == before)
    let log = expunge("log", "--store", store.path, "--json")
    #expect(log.status == 0 && !log.out.contains("\"seq\""), "\(log.out)")
    // A permanent id that is not a row: refused before the store directory is made.
    let bad = try Self.writePermanent([1000, 5], in: dir, name: "bad.txt")
    let other = dir.appendingPathComponent("t")
    refused(
      [
        "train", "--data", csv, "--id-column", "id", "--store", other.path, "--model", "softmax",
        "--permanent-ids", bad,
      ], 65, "permanent id 5 is not a row of the training data")
    #expect(!FileManager.default.fileExists(atPath: other.path))
    refused(
      [
        "train", "--data", csv, "--id-column", "id", "--out", other.path, "--model", "softmax",
        "--permanent-ids", bad,
      ], 64, "option '--permanent-ids' needs --store")
  }

  /// `--method retrain` forgets permanent rows: they leave the permanent set, the base and
  /// every shard retrain, and the store equals one trained on the file without them with the
  /// smaller permanent set.
  @Test func retrainForgetsPermanentRowsAndRebuildsTheBase() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let removed: Set<Int> = [0, 8, 5]  // two permanent rows, one forgettable
    let full = try StoreCommandTests.csv(in: dir, name: "full.csv")
    let edited = try StoreCommandTests.csv(without: removed, in: dir, name: "edited.csv")
    let a = dir.appendingPathComponent("a")
    let b = dir.appendingPathComponent("b")
    Self.train(
      full, store: a, kind: "mlp",
      permanent: try Self.writePermanent(Self.permanentIDs(), in: dir, name: "all.txt"))
    Self.train(
      edited, store: b, kind: "mlp",
      permanent: try Self.writePermanent(
        Self.permanentIDs(without: removed), in: dir, name: "kept.txt"))
    let r = expunge(
      "forget", "--store", a.path, "--ids", "1000,1008,1005", "--method", "retrain", "--json")
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("\"base:0\""), "\(r.out)")
    #expect(r.out.contains("\"removed\" : 3"))
    let mine = Self.modelFiles(a, version: 2)
    let theirs = Self.modelFiles(b, version: 1)
    #expect(mine.count == theirs.count)
    for (path, bytes) in theirs {
      #expect(mine[path] == bytes, "\(path) differs")
    }
    let log = expunge("log", "--store", a.path, "--verify")
    #expect(log.status == 0 && log.out.contains("base:0"), "\(log.out)")
  }

  /// The audit's oracle is the store's recipe over the same base: after exact unlearning
  /// the store is the oracle, parameter for parameter.
  @Test func auditRetrainsTheOracleOverTheBase() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let store = dir.appendingPathComponent("s")
    Self.train(
      csv, store: store, kind: "mlp",
      permanent: try Self.writePermanent(Self.permanentIDs(), in: dir, name: "p.txt"))
    #expect(expunge("forget", "--store", store.path, "--ids", "1001,1050,1103").status == 0)
    let r = expunge(
      "audit", "--store", store.path, "--test", csv, "--attacks", "loss-threshold", "--json")
    #expect(r.status == 0, "\(r.err)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    let comparison = try #require(json["oracleComparison"] as? [String: Any])
    #expect(comparison["parameterDistance"] as? Double == 0, "\(comparison)")
    #expect(comparison["averageGap"] as? Double == 0, "\(comparison)")
  }
}
