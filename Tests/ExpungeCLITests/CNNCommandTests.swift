import ExpungeData
import Foundation
import Testing

/// `--model cnn` through the command line: train, evaluate, predict, a SISA store whose
/// forgetting equals training without the rows, retraining, the audit, and the options'
/// validation.
@Suite("CNN commands")
struct CNNCommandTests {
  /// The store tests' 4-feature rows as 2×2 single-channel images.
  static let cnn = [
    "--model", "cnn", "--input-shape", "2x2x1", "--layers", "conv3x2,dense6", "--epochs", "4",
    "--batch-size", "16", "--lr", "0.01",
  ]

  static func train(_ csv: String, store: URL) {
    let r = expunge(
      [
        "train", "--data", csv, "--id-column", "id", "--store", store.path, "--sisa-shards", "3",
        "--sisa-slices", "2", "--quiet",
      ] + cnn)
    #expect(r.status == 0, "\(r.err)")
  }

  @Test func storeForgettingEqualsTrainingWithoutTheRowsAndAudits() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let removed: Set<Int> = [3, 77, 150, 151, 298]
    let full = try StoreCommandTests.csv(in: dir, name: "full.csv")
    let edited = try StoreCommandTests.csv(without: removed, in: dir, name: "edited.csv")
    let (a, b) = (dir.appendingPathComponent("a"), dir.appendingPathComponent("b"))
    Self.train(full, store: a)
    Self.train(edited, store: b)
    let ids = removed.sorted().map { String(1000 + $0) }.joined(separator: ",")
    let forgot = expunge("forget", "--store", a.path, "--ids", ids, "--method", "sisa")
    #expect(forgot.status == 0, "\(forgot.err)")
    for shard in 0..<3 {
      let mine = FileManager.default.contents(
        atPath: a.appendingPathComponent("models/v2/shard-\(shard)/weights.safetensors").path)
      let theirs = FileManager.default.contents(
        atPath: b.appendingPathComponent("models/v1/shard-\(shard)/weights.safetensors").path)
      #expect(mine != nil && mine == theirs, "shard \(shard) differs")
    }
    let retrain = expunge("forget", "--store", a.path, "--ids", "1010", "--method", "retrain")
    #expect(retrain.status == 0, "\(retrain.err)")
    let audit = expunge(
      "audit", "--store", a.path, "--data", full, "--id-column", "id", "--test", full, "--json")
    #expect(audit.status == 0, "\(audit.err)")
    #expect(audit.out.contains("\"forget\""), "\(audit.out.prefix(400))")
    let evaluate = expunge("evaluate", "--store", a.path, "--data", edited, "--id-column", "id")
    #expect(evaluate.status == 0, "\(evaluate.err)")
  }

  @Test func trainEvaluatePredictOnImages() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("m")
    let trained = expunge(
      "train", "--data", "fashion-mnist", "--limit", "300", "--model", "cnn", "--layers",
      "conv4x3,pool2,dense8", "--epochs", "2", "--out", model.path)
    #expect(trained.status == 0, "\(trained.err)")
    // 4·9 + 4, then (13·13·4)·8 + 8, then 8·10 + 10 parameters.
    #expect(
      trained.out.contains("Trained cnn 28x28x1 conv4x3,pool2,dense8 → 10 (5546 parameters)"),
      "\(trained.out)")
    let evaluated = expunge(
      "evaluate", "--model", model.path, "--data", "fashion-mnist:test", "--limit", "200",
      "--json")
    #expect(evaluated.status == 0 && evaluated.out.contains("\"accuracy\""), "\(evaluated.err)")
    let predicted = expunge(
      "predict", "--model", model.path, "--data", "fashion-mnist:test", "--limit", "5")
    #expect(predicted.status == 0, "\(predicted.err)")
    #expect(predicted.out.split(separator: "\n").count == 6)
  }

  @Test func optionsAreValidatedBeforeAnyWork() {
    func refused(_ extra: [String], _ status: Int32, _ message: String) {
      let r = expunge(["train", "--data", "fashion-mnist", "--out", "/nonexistent/x"] + extra)
      #expect(r.status == status, "\(extra): \(r.err)")
      #expect(r.err.hasPrefix("Error: \(message)"), "\(extra): \(r.err)")
    }
    refused(
      ["--model", "cnn", "--layers", "conv32,pool2"], 64,
      "invalid value 'conv32,pool2' for '--layers': expected comma-separated convFxK, poolS, denseN (e.g. conv32x3,pool2,dense128)"
    )
    refused(
      ["--model", "cnn", "--input-shape", "28x28x0"], 64,
      "invalid value '28x28x0' for '--input-shape': expected HxWxC with every part ≥ 1 (e.g. 28x28x1)"
    )
    refused(
      ["--model", "mlp", "--layers", "dense8"], 64,
      "option '--layers' does not apply to --model mlp")
    refused(
      ["--model", "cnn", "--hidden", "8"], 64, "option '--hidden' does not apply to --model cnn")
    refused(
      ["--model", "cnn", "--l2", "auto"], 64,
      "invalid value 'auto' for '--l2': expected a number ≥ 0 for the CNN")
  }
}
