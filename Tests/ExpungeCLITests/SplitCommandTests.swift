import ExpungeCore
import ExpungeData
import Foundation
import Testing

/// `expunge split`: stratified, seeded, every row in exactly one file with its id and its
/// features to the bit.
@Suite("split")
struct SplitCommandTests {
  /// Unbalanced classes (31, 12, 7 rows, interleaved), ids that are not row numbers, and
  /// features with no short decimal form.
  static func labelledCSV(in dir: URL, idColumn: Bool = true) -> String {
    var rng = SeededGenerator(seed: 21)
    var text = (idColumn ? "sample," : "") + "mean radius,texture,label\n"
    for i in 0..<50 {
      let label = i % 4 == 3 ? 1 : (i % 8 == 1 ? 2 : 0)
      let x = (0..<2).map { _ in String(Float(rng.nextNormal()) / 3) }
      text += (idColumn ? "\(900 - 7 * i)," : "") + x.joined(separator: ",") + ",\(label)\n"
    }
    let path = dir.appendingPathComponent(idColumn ? "rows.csv" : "plain.csv").path
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
  }

  static func split(_ data: String, seed: String, in dir: URL, extra: [String] = []) -> (
    train: String, test: String
  ) {
    let train = dir.appendingPathComponent("train-\(seed).csv").path
    let test = dir.appendingPathComponent("test-\(seed).csv").path
    let r = expunge(
      [
        "split", "--data", data, "--test-fraction", "0.3", "--seed", seed, "--out-train", train,
        "--out-test", test,
      ] + extra)
    #expect(r.status == 0, "\(r.err)")
    return (train, test)
  }

  static func loadWithIDs(_ path: String) throws -> Dataset {
    var options = LoadOptions()
    options.idColumn = .name("id")
    return try CSVLoader.load(path, options: options)
  }

  @Test(arguments: [true, false])
  func splitIsStratifiedCompleteAndKeepsIDsAndFeatures(inputHasIDs: Bool) throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = Self.labelledCSV(in: dir, idColumn: inputHasIDs)
    var options = LoadOptions()
    if inputHasIDs { options.idColumn = .name("sample") }
    let original = try CSVLoader.load(input, options: options)
    let (trainPath, testPath) = Self.split(
      input, seed: "4", in: dir, extra: inputHasIDs ? ["--id-column", "sample"] : [])
    let train = try Self.loadWithIDs(trainPath)
    let test = try Self.loadWithIDs(testPath)

    // Disjoint and complete.
    #expect(Set(train.ids).isDisjoint(with: test.ids))
    #expect(Set(train.ids).union(test.ids) == Set(original.ids))
    #expect(train.count + test.count == original.count)
    // Stratified: 15 of 50 rows, each class within one row of its exact share.
    #expect(test.count == 15)
    let counts = original.classCounts
    for (c, n) in counts.enumerated() {
      let exact = Double(n) * Double(test.count) / Double(original.count)
      let got = test.labels.filter { $0 == c }.count
      #expect(abs(Double(got) - exact) < 1, "class \(c): \(got) test rows, exact share \(exact)")
    }
    // Every row keeps its id, label, feature names and features to the bit.
    let position = Dictionary(uniqueKeysWithValues: original.ids.enumerated().map { ($1, $0) })
    for part in [train, test] {
      #expect(part.featureNames == ["mean radius", "texture"])
      #expect(part.ids.map { position[$0]! } == part.ids.map { position[$0]! }.sorted())
      for (i, id) in part.ids.enumerated() {
        let o = position[id]!
        #expect(part.labels[i] == original.labels[o])
        #expect(
          part.features.row(i).map(\.bitPattern) == original.features.row(o).map(\.bitPattern))
      }
    }
  }

  @Test func sameSeedSameBytesOtherSeedOtherRows() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = Self.labelledCSV(in: dir)
    let again = dir.appendingPathComponent("again")
    try FileManager.default.createDirectory(at: again, withIntermediateDirectories: true)
    let first = Self.split(input, seed: "7", in: dir)
    let second = Self.split(input, seed: "7", in: again)
    let other = Self.split(input, seed: "8", in: dir)
    let bytes = { (path: String) in FileManager.default.contents(atPath: path) }
    #expect(bytes(first.train) != nil && bytes(first.train) == bytes(second.train))
    #expect(bytes(first.test) != nil && bytes(first.test) == bytes(second.test))
    #expect(bytes(first.test) != bytes(other.test))
  }

  /// The first hour with scikit-learn's breast-cancer CSV, gzipped: a line of counts to
  /// skip, no header, the label last; split, train on one file, evaluate on the other.
  @Test func sklearnStyleFileEndToEnd() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let data = try DatasetCatalog.load("synthetic:n=120,d=5,classes=2,seed=3")
    var text = "120,5,malignant,benign\n"
    for i in 0..<data.count {
      text += data.features.row(i).map { String($0) }.joined(separator: ",")
      text += ",\(data.labels[i])\n"
    }
    let csv = dir.appendingPathComponent("breast_cancer.csv")
    try text.write(to: csv, atomically: true, encoding: .utf8)
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gzip.arguments = ["-f", csv.path]
    try gzip.run()
    gzip.waitUntilExit()
    let gz = csv.path + ".gz"
    let train = dir.appendingPathComponent("train.csv").path
    let test = dir.appendingPathComponent("test.csv").path

    let unskipped = expunge(
      "split", "--data", gz, "--out-train", train, "--out-test", test)
    #expect(unskipped.status == 65)
    #expect(unskipped.err == "Error: \(gz):2: has 6 fields, expected 4\n")

    let r = expunge(
      "split", "--data", gz, "--skip-rows", "1", "--test-fraction", "0.2", "--seed", "1",
      "--out-train", train, "--out-test", test, "--json")
    #expect(r.status == 0, "\(r.err)")
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    let trainPart = try #require(report["train"] as? [String: Any])
    let testPart = try #require(report["test"] as? [String: Any])
    #expect(trainPart["rows"] as? Int == 96 && testPart["rows"] as? Int == 24)
    #expect(testPart["classCounts"] as? [Int] == data.classCounts.map { $0 / 5 })
    #expect(report["idColumn"] as? String == "id" && report["seed"] as? Int == 1)

    let model = dir.appendingPathComponent("m").path
    let fit = expunge(
      "train", "--data", train, "--id-column", "id", "--model", "softmax", "--out", model,
      "--quiet")
    #expect(fit.status == 0, "\(fit.err)")
    let evaluate = expunge("evaluate", "--model", model, "--data", test, "--id-column", "id")
    #expect(evaluate.status == 0, "\(evaluate.err)")
    #expect(evaluate.out.contains("(24 rows)"))
  }

  @Test func existingOutputsAreRefusedWithoutForce() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = Self.labelledCSV(in: dir)
    let train = dir.appendingPathComponent("train.csv").path
    let test = dir.appendingPathComponent("test.csv").path
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: test))
    let base = ["split", "--data", input, "--out-train", train, "--out-test", test]
    let refused = expunge(base)
    #expect(refused.status == 65)
    #expect(refused.err == "Error: \(test): exists; give --force to replace it\n")
    #expect(!FileManager.default.fileExists(atPath: train), "a refused split wrote a file")
    #expect(FileManager.default.contents(atPath: test) == Data("keep me\n".utf8))
    let forced = expunge(base + ["--force"])
    #expect(forced.status == 0, "\(forced.err)")
    #expect(forced.out.hasPrefix("Wrote 37 rows to \(train) and 13 rows to \(test)"))
    let rows = try Self.loadWithIDs(test)
    #expect(rows.count == 13)
  }

  @Test func badCommandLinesExit64() {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = Self.labelledCSV(in: dir)
    let a = dir.appendingPathComponent("a.csv").path
    let b = dir.appendingPathComponent("b.csv").path
    func error(_ extra: [String], out: (String, String) = (a, b)) -> String? {
      let r = expunge(
        ["split", "--data", input, "--out-train", out.0, "--out-test", out.1] + extra)
      #expect(r.status == 64)
      return r.err.split(separator: "\n").first.map(String.init)
    }
    #expect(
      error(["--test-fraction", "1"])
        == "Error: invalid value '1' for '--test-fraction': expected a fraction in (0, 1)")
    #expect(
      error([], out: (a, dir.appendingPathComponent("b.txt").path))
        == "Error: invalid value '\(dir.path)/b.txt' for '--out-test': expected a file name ending in .csv"
    )
    #expect(error([], out: (a, a)) == "Error: --out-train and --out-test name the same file")
    #expect(!FileManager.default.fileExists(atPath: a))
  }
}
