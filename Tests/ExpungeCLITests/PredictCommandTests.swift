import ExpungeData
import Foundation
import Testing

/// `expunge predict` on rows without labels, and with a store's ensemble (`--store`,
/// `--version`).
@Suite("predict")
struct PredictCommandTests {
  /// The same 150 rows (4 features, 3 classes) as a labelled CSV with ids 500 + row, as an
  /// unlabelled CSV with the ids, and as bare features without a header.
  struct Files {
    var data: Dataset
    var labelled: String
    var unlabelled: String
    var bare: String

    init(in dir: URL) throws {
      data = try DatasetCatalog.load("synthetic:n=150,d=4,classes=3,seed=5,sep=1")
      var labelledText = "id,a,b,c,d,label\n"
      var unlabelledText = "id,a,b,c,d\n"
      var bareText = ""
      for i in 0..<data.count {
        let x = data.features.row(i).map { String($0) }.joined(separator: ",")
        labelledText += "\(500 + i),\(x),\(data.labels[i])\n"
        unlabelledText += "\(500 + i),\(x)\n"
        bareText += "\(x)\n"
      }
      func write(_ name: String, _ text: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
      }
      labelled = try write("labelled.csv", labelledText)
      unlabelled = try write("unlabelled.csv", unlabelledText)
      bare = try write("bare.csv", bareText)
    }
  }

  /// The `predicted` column of predict's CSV.
  static func predictedColumn(_ csv: String) -> [Int] {
    csv.split(separator: "\n").dropFirst().map { Int($0.split(separator: ",")[1])! }
  }

  @Test func rowsWithoutLabelsAreDetectedOrDeclared() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let files = try Files(in: dir)
    let model = dir.appendingPathComponent("m").path
    let fit = expunge(
      "train", "--data", files.labelled, "--id-column", "id", "--model", "softmax", "--out",
      model, "--quiet")
    #expect(fit.status == 0, "\(fit.err)")
    let reference = expunge(
      "predict", "--model", model, "--data", files.labelled, "--id-column", "id", "--proba")
    #expect(reference.status == 0, "\(reference.err)")
    #expect(reference.out.hasPrefix("id,predicted,p0,p1,p2\n500,"))

    // One column fewer than the labelled file: read as unlabelled, same predictions.
    for extra in [[], ["--no-labels"]] {
      let r = expunge(
        ["predict", "--model", model, "--data", files.unlabelled, "--id-column", "id", "--proba"]
          + extra)
      #expect(r.status == 0, "\(r.err)")
      #expect(r.out == reference.out)
    }
    // No header and no ids: ids are row numbers.
    let bare = expunge("predict", "--model", model, "--data", files.bare)
    #expect(bare.status == 0, "\(bare.err)")
    #expect(bare.out.split(separator: "\n")[1].hasPrefix("0,"))
    #expect(Self.predictedColumn(bare.out) == Self.predictedColumn(reference.out))

    // Declared unlabelled but one feature short: the width is named.
    let narrow = dir.appendingPathComponent("narrow.csv").path
    try "a,b,c\n1,2,3\n".write(toFile: narrow, atomically: true, encoding: .utf8)
    let short = expunge("predict", "--model", model, "--data", narrow, "--no-labels")
    #expect(short.status == 65)
    #expect(
      short.err
        == "Error: \(narrow) has 3 features, but the model in \(model) is expecting 4 features as input\n"
    )
    let contradiction = expunge(
      "predict", "--model", model, "--data", files.bare, "--no-labels", "--label-column", "0")
    #expect(contradiction.status == 64)
    #expect(
      contradiction.err.hasPrefix(
        "Error: --label-column needs labels; --no-labels says there are none\n"))
    let classes = expunge(
      "predict", "--model", model, "--data", files.bare, "--classes", "0,1")
    #expect(classes.status == 65)
    #expect(
      classes.err
        == "Error: \(files.bare): has no label column (as many columns as the model's 4 features); --classes needs labels\n"
    )
  }

  /// `predict --store` predicts what `evaluate --store` measures: its accuracy and
  /// confusion matrix recount from predict's output.
  @Test func storePredictionsAreWhatEvaluateMeasures() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let files = try Files(in: dir)
    let store = dir.appendingPathComponent("s").path
    let fit = expunge(
      "train", "--data", files.labelled, "--id-column", "id", "--model", "softmax", "--store",
      store, "--sisa-shards", "3", "--quiet")
    #expect(fit.status == 0, "\(fit.err)")
    let evaluate = expunge(
      "evaluate", "--store", store, "--data", files.labelled, "--id-column", "id", "--json")
    #expect(evaluate.status == 0, "\(evaluate.err)")
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(evaluate.out.utf8)) as? [String: Any])
    let accuracy = try #require(report["accuracy"] as? Double)
    let confusion = try #require(report["confusionMatrix"] as? [[Int]])

    let predict = expunge(
      "predict", "--store", store, "--data", files.unlabelled, "--id-column", "id", "--proba",
      "--json")
    #expect(predict.status == 0, "\(predict.err)")
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(predict.out.utf8)) as? [[String: Any]])
    #expect(rows.count == 150)
    var correct = 0
    var predictedPerClass = [0, 0, 0]
    for (i, row) in rows.enumerated() {
      #expect(row["id"] as? Int == 500 + i)
      let predicted = try #require(row["predicted"] as? Int)
      let p = try #require(row["probabilities"] as? [Double])
      #expect(p.count == 3 && abs(p.reduce(0, +) - 1) < 1e-5)
      #expect(predicted == p.firstIndex(of: p.max()!), "row \(i): not the first largest score")
      if predicted == Int(files.data.labels[i]) { correct += 1 }
      predictedPerClass[predicted] += 1
    }
    #expect(Double(correct) / 150 == accuracy)
    #expect(predictedPerClass == (0..<3).map { c in confusion.map { $0[c] }.reduce(0, +) })
  }

  /// `--version N` reads version N while its files exist. The store deletes older versions
  /// once a request is done, so the test keeps a copy of version 1 and puts it back: then
  /// `--version 1` gives the predictions from before the forget, weighted by the shard
  /// sizes of that version.
  @Test func versionPicksAVersionWhileItsFilesExist() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let files = try Files(in: dir)
    let store = dir.appendingPathComponent("s")
    let fit = expunge(
      "train", "--data", files.labelled, "--id-column", "id", "--model", "softmax", "--store",
      store.path, "--sisa-shards", "3", "--aggregate", "mean-proba", "--weight-by-shard-size",
      "--quiet")
    #expect(fit.status == 0, "\(fit.err)")
    let predict = [
      "predict", "--store", store.path, "--data", files.unlabelled, "--id-column", "id", "--proba",
    ]
    let before = expunge(predict)
    #expect(before.status == 0, "\(before.err)")
    let versionOne = store.appendingPathComponent("models/v1")
    let kept = dir.appendingPathComponent("v1-copy")
    try FileManager.default.copyItem(at: versionOne, to: kept)

    let forget = expunge(
      "forget", "--store", store.path, "--ids", (500..<520).map(String.init).joined(separator: ","))
    #expect(forget.status == 0, "\(forget.err)")
    let after = expunge(predict)
    #expect(after.status == 0 && after.out != before.out, "\(after.err)")
    #expect(expunge(predict + ["--version", "2"]).out == after.out)

    let deleted = expunge(predict + ["--version", "1"])
    #expect(deleted.status == 65)
    #expect(
      deleted.err
        == "Error: \(store.path): version 1 was deleted when request 1 made version 2; the store keeps only its current version, 2\n"
    )
    let unknown = expunge(predict + ["--version", "3"])
    #expect(unknown.status == 65)
    #expect(
      unknown.err
        == "Error: \(store.path): no version 3; the store has versions 1…2, the current one 2\n")
    #expect(expunge(predict + ["--version", "0"]).status == 64)

    try FileManager.default.copyItem(at: kept, to: versionOne)
    let restored = expunge(predict + ["--version", "1"])
    #expect(restored.status == 0, "\(restored.err)")
    #expect(restored.out == before.out)
  }

  @Test func versionNeedsAStore() throws {
    let r = expunge(
      "predict", "--model", "runs/m", "--data", "synthetic:n=10", "--version", "1")
    #expect(r.status == 64)
    #expect(
      r.err.hasPrefix("Error: --version applies to --store (a model directory has one)\n"))
  }
}
