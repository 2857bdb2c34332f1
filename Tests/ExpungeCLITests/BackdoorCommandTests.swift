import Foundation
import Testing

/// `train --backdoor-ids` plants a trigger; forgetting those rows removes it, and the audit's
/// hypothesis test tells which happened.
@Suite("Backdoor command")
struct BackdoorCommandTests {
  static let data = "synthetic:n=1200,d=64,classes=3,seed=4,sep=2"
  static let model = ["--model", "mlp", "--hidden", "32", "--epochs", "30", "--quiet"]
  static let backdoor = ["--trigger", "corner:3x3@4", "--target-label", "0"]

  static func idsFile(in dir: URL) throws -> String {
    let path = dir.appendingPathComponent("poisoned.txt").path
    // 100 rows, of every class (those of class 0 already carry the target label).
    let ids = (0..<300).filter { $0 % 3 != 0 }.prefix(100)
    try ids.map(String.init).joined(separator: "\n").write(
      toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func backdoorJSON(_ out: String) throws -> [String: Any] {
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
    return try #require(json["backdoor"] as? [String: Any])
  }

  @Test func forgettingThePoisonedRowsRemovesTheBackdoor() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let ids = try Self.idsFile(in: dir)
    let store = dir.appendingPathComponent("s").path
    let t = expunge(
      ["train", "--data", Self.data, "--store", store, "--backdoor-ids", ids] + Self.backdoor
        + Self.model)
    #expect(t.status == 0, "\(t.err)")
    #expect(expunge("forget", "--store", store, "--ids-file", ids).status == 0)
    let audit = expunge(
      "audit", "--store", store, "--data", Self.data, "--test", Self.data, "--attacks",
      "loss-threshold", "--json")
    #expect(audit.status == 0, "\(audit.err)")
    let b = try Self.backdoorJSON(audit.out)
    let rates = try #require(b["rates"] as? [[String: Any]])
    let success = Dictionary(
      uniqueKeysWithValues: rates.map { ($0["model"] as! String, $0["successRate"] as! Double) })
    #expect(success["original"]! >= 0.8, "\(success)")
    #expect(success["unlearned"]! <= 0.2 && success["oracle"]! <= 0.2, "\(success)")
    let test = try #require(b["test"] as? [String: Any])
    #expect(test["verdict"] as? String == "deleted", "\(test)")

    // A model directory trained the same way and never unlearned: the test says so.
    let model = dir.appendingPathComponent("m").path
    let m = expunge(
      ["train", "--data", Self.data, "--out", model, "--backdoor-ids", ids] + Self.backdoor
        + Self.model)
    #expect(m.status == 0, "\(m.err)")
    let kept = expunge(
      "audit", "--model", model, "--forget", ids, "--data", Self.data, "--test", Self.data,
      "--attacks", "loss-threshold", "--json")
    #expect(kept.status == 0, "\(kept.err)")
    let verdict = try #require(try Self.backdoorJSON(kept.out)["test"] as? [String: Any])
    #expect(verdict["verdict"] as? String == "not deleted", "\(verdict)")
  }

  @Test func badBackdoorOptionsAreRefused() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let ids = try Self.idsFile(in: dir)
    let out = dir.appendingPathComponent("m").path
    let missing = dir.appendingPathComponent("missing.txt").path
    try "5\n99999\n".write(toFile: missing, atomically: true, encoding: .utf8)
    for (extra, status, message) in [
      (["--backdoor-ids", ids], Int32(64), "--backdoor-ids needs --target-label K"),
      (["--target-label", "0"], 64, "option '--target-label' needs --backdoor-ids"),
      (["--backdoor-ids", ids, "--target-label", "0", "--trigger", "edge"], 64, "'--trigger'"),
      (["--backdoor-ids", ids, "--target-label", "7"], 65, "--target-label 7: "),
      (
        ["--backdoor-ids", missing, "--target-label", "0"], 65, "missing.txt: id 99999 is not a row"
      ),
    ] {
      let r = expunge(["train", "--data", Self.data, "--out", out] + Self.model + extra)
      #expect(r.status == status && r.err.contains(message), "\(extra): \(r.status) \(r.err)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
    let narrow = expunge(
      [
        "train", "--data", "synthetic:n=50,d=5", "--out", out, "--backdoor-ids", ids,
        "--target-label", "0",
      ] + Self.model)
    #expect(narrow.status == 65 && narrow.err.contains("not a square image"), "\(narrow.err)")
  }
}
