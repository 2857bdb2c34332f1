import Foundation
import Testing

/// Bad data gets one line naming what and where, exit 65, and no output left behind.
@Suite("Bad input")
struct BadInputTests {
  /// Writes `text` to a file in a fresh directory; returns (directory, file path).
  func file(_ name: String, _ text: String) -> (URL, String) {
    let dir = temporaryDirectory(name)
    let path = dir.appendingPathComponent(name).path
    #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    return (dir, path)
  }

  func trainRefuses(_ data: String, extra: [String] = [], _ expected: String) {
    let out = temporaryDirectory().appendingPathComponent("model").path
    let r = expunge(["train", "--data", data, "--model", "softmax", "--out", out] + extra)
    #expect(r.status == 65, "\(r.err)")
    #expect(r.err == "Error: \(expected)\n")
    #expect(r.out.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: out), "refused training left output behind")
  }

  @Test func unknownDataset() {
    let r = expunge("train", "--data", "fashion", "--out", "/tmp/never-written")
    #expect(r.status == 65)
    #expect(r.err.hasPrefix("Error: unknown dataset 'fashion'; built-in datasets are "))
    #expect(r.err.split(separator: "\n").count == 1)
  }

  @Test func missingFile() {
    trainRefuses("/nonexistent/rows.csv", "/nonexistent/rows.csv: no such file")
  }

  @Test func raggedCSVRow() {
    let (dir, path) = file("ragged.csv", "a,b,label\n1,2,0\n3,4\n5,6,1\n")
    defer { try? FileManager.default.removeItem(at: dir) }
    trainRefuses(path, "\(path):3: has 2 fields, expected 3")
  }

  @Test func nonNumberInCSV() {
    let (dir, path) = file("word.csv", "a,b,label\n1,2,0\n3,abc,1\n")
    defer { try? FileManager.default.removeItem(at: dir) }
    trainRefuses(path, "\(path):3: column b: 'abc' is not a number")
  }

  @Test func nanInCSV() {
    let (dir, path) = file("nan.csv", "a,b,label\n1,2,0\nNaN,3,1\n")
    defer { try? FileManager.default.removeItem(at: dir) }
    trainRefuses(path, "\(path):3: column a: NaN is not allowed")
  }

  @Test func duplicateIDs() {
    let (dir, path) = file("dup.csv", "id,a,label\n7,1,0\n8,2,1\n7,3,1\n")
    defer { try? FileManager.default.removeItem(at: dir) }
    trainRefuses(
      path, extra: ["--id-column", "id"], "\(path):4: duplicate id 7 (first seen on line 2)")
  }

  @Test func unknownLabelColumn() {
    let (dir, path) = file("cols.csv", "a,b,label\n1,2,0\n3,4,1\n")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("m").path
    let r = expunge("train", "--data", path, "--label-column", "class", "--out", out)
    #expect(r.status == 65)
    #expect(r.err.hasPrefix("Error: \(path)"))
    #expect(r.err.contains("class"))
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func modelAppliedToDataOfTheWrongWidth() {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("m").path
    #expect(
      expunge(
        "train", "--data", "synthetic:n=60,d=4,classes=2", "--model", "softmax", "--out", model,
        "--quiet"
      )
      .status == 0)
    let r = expunge("evaluate", "--model", model, "--data", "synthetic:n=60,d=5,classes=2")
    #expect(r.status == 65)
    #expect(
      r.err
        == "Error: synthetic:n=60,d=5,classes=2 has 5 features, but the model in \(model) is expecting 4 features as input\n"
    )
  }

  @Test func notAModelDirectory() {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = expunge("evaluate", "--model", dir.path, "--data", "synthetic:n=10")
    #expect(r.status == 65 || r.status == 1)
    #expect(r.err.hasPrefix("Error: \(dir.path)"))
    #expect(r.err.split(separator: "\n").count == 1)
  }

  /// The model only knows "the data"; the CLI names the file.
  @Test func oneClassNamesTheFile() {
    let (dir, path) = file("one-class.csv", "a,b,label\n1,2,0\n3,4,0\n5,6,0\n")
    defer { try? FileManager.default.removeItem(at: dir) }
    trainRefuses(path, "\(path): SoftmaxRegression: needs at least 2 classes, the data has 1")
  }

  @Test func logisticNeedsTwoClasses() {
    let out = temporaryDirectory().appendingPathComponent("m").path
    let r = expunge(
      "train", "--data", "synthetic:n=60,d=4,classes=3", "--model", "logistic", "--out", out)
    #expect(r.status == 65)
    #expect(r.err.contains("--classes"))
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}
