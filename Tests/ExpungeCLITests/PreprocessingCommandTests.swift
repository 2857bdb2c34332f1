import ExpungeData
import Foundation
import Testing

/// `--standardize` in a store (per shard, per stage) and the data-independent `--scale`,
/// through the command line.
@Suite("Preprocessing commands")
struct PreprocessingCommandTests {
  /// A CSV with an id column whose features sit far from 0 with unequal spreads (so
  /// standardizing and scaling change every value), rows `removed` left out.
  static func csv(
    without removed: Set<Int> = [], in dir: URL, name: String,
    map: (Float) -> Float = { $0 }
  ) throws -> String {
    let data = try DatasetCatalog.load("synthetic:n=300,d=4,classes=3,seed=9,sep=1.5")
    var text = "id,a,b,c,d,label\n"
    for i in 0..<data.count where !removed.contains(i) {
      let x = data.features.row(i).enumerated().map { j, v in
        String(map(v * Float(j + 1) * 3 + 40))
      }
      text += "\(1000 + i),\(x.joined(separator: ",")),\(data.labels[i])\n"
    }
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static let modelOptions = [
    "mlp": ["--model", "mlp", "--hidden", "6", "--epochs", "4", "--batch-size", "16"],
    "softmax": ["--model", "softmax"],
  ]

  static func weights(_ store: URL, version: Int, shard: Int) -> Data? {
    FileManager.default.contents(
      atPath: store.appendingPathComponent("models/v\(version)/shard-\(shard)/weights.safetensors")
        .path)
  }

  /// The store's exactness contract with `--standardize` (and `--scale` before it): forget F,
  /// then compare with a store trained on the file with F's rows deleted — every shard's
  /// weights file, standardizer included, byte for byte. Three slices, so a forgotten row in
  /// a later slice keeps the earlier stages and their statistics.
  @Test(arguments: ["mlp", "softmax"])
  func forgettingWithStandardizationEqualsTrainingWithoutTheRows(kind: String) throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let removed: Set<Int> = [0, 41, 42, 150, 299]
    let full = try Self.csv(in: dir, name: "full.csv")
    let edited = try Self.csv(without: removed, in: dir, name: "edited.csv")
    let (a, b) = (dir.appendingPathComponent("a"), dir.appendingPathComponent("b"))
    for (csv, store) in [(full, a), (edited, b)] {
      let r = expunge(
        ["train", "--data", csv, "--id-column", "id", "--store", store.path, "--sisa-shards", "3"]
          + ["--sisa-slices", "3", "--standardize", "--scale", "minmax:20,80", "--quiet"]
          + Self.modelOptions[kind]!)
      #expect(r.status == 0, "\(r.err)")
    }
    let forget = expunge(
      "forget", "--store", a.path, "--ids",
      removed.sorted().map { String(1000 + $0) }.joined(
        separator: ","), "--json")
    #expect(forget.status == 0, "\(forget.err)")
    // Some shard restarted after its first stage: the early checkpoints' statistics were kept.
    #expect(forget.out.contains(":1\"") || forget.out.contains(":2\""), "\(forget.out)")
    for shard in 0..<3 {
      let mine = Self.weights(a, version: 2, shard: shard)
      #expect(mine != nil && mine == Self.weights(b, version: 1, shard: shard), "shard \(shard)")
    }
    let config = try String(
      contentsOf: a.appendingPathComponent("models/v2/shard-0/config.json"), encoding: .utf8)
    #expect(config.contains("\"featureScaling\""))
    // The store applies each shard's preprocessing to raw rows: the same answers as the store
    // trained without the rows.
    let mineOut = expunge("evaluate", "--store", a.path, "--data", edited, "--id-column", "id")
    let theirsOut = expunge("evaluate", "--store", b.path, "--data", edited, "--id-column", "id")
    #expect(mineOut.status == 0 && theirsOut.status == 0, "\(mineOut.err) \(theirsOut.err)")
    #expect(
      mineOut.out.split(separator: "\n").dropFirst().joined()
        == theirsOut.out.split(separator: "\n").dropFirst().joined())
    // An update in place cannot follow statistics that change with the rows.
    let influence = expunge(
      "forget", "--store", a.path, "--relabel", "1001:1", "--method", "influence")
    #expect(influence.status == 65)
    #expect(
      influence.err
        == "Error: --method influence updates shard models in place, but this store standardizes each shard with its own rows' statistics, which change with the rows; use --method sisa or --method retrain\n"
    )
  }

  /// `--scale` is recorded with the model and applied wherever the model meets data: a model
  /// trained with `--scale 1/3` on a file is, bit for bit, the model trained without it on
  /// the file scaled beforehand, and predicts and evaluates the raw file as that one does
  /// the scaled file. The same holds for a store, and for the audit's retrained original.
  @Test(arguments: ["1/3", "minmax:20,80"])
  func scaleIsAppliedInTrainPredictEvaluateAndAudit(scale: String) throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let scaling = try #require(FeatureScaling(parsing: scale))
    let raw = try Self.csv(in: dir, name: "raw.csv")
    let scaled = try Self.csv(in: dir, name: "scaled.csv") {
      ($0 - scaling.subtract) * scaling.multiplyBy
    }
    let common = ["--id-column", "id", "--model", "softmax", "--quiet"]
    let withScale = dir.appendingPathComponent("with").path
    let without = dir.appendingPathComponent("without").path
    #expect(
      expunge(["train", "--data", raw, "--out", withScale, "--scale", scale] + common).status == 0)
    #expect(expunge(["train", "--data", scaled, "--out", without] + common).status == 0)
    let weights = { (model: String) in
      FileManager.default.contents(atPath: model + "/weights.safetensors")
    }
    #expect(weights(withScale) != nil && weights(withScale) == weights(without))
    let config = try String(contentsOfFile: withScale + "/config.json", encoding: .utf8)
    #expect(config.contains("\"multiplyBy\" : \(scaling.multiplyBy)"), "\(config)")

    for command in [["predict", "--proba"], ["evaluate", "--json"]] {
      let mine = expunge(
        [command[0], "--model", withScale, "--data", raw, "--id-column", "id", command[1]])
      let theirs = expunge(
        [command[0], "--model", without, "--data", scaled, "--id-column", "id", command[1]])
      #expect(mine.status == 0 && theirs.status == 0, "\(mine.err) \(theirs.err)")
      let strip = { (text: String) in
        text.replacingOccurrences(of: without, with: "M").replacingOccurrences(
          of: withScale, with: "M"
        )
        .replacingOccurrences(of: raw, with: "D").replacingOccurrences(of: scaled, with: "D")
      }
      #expect(strip(mine.out) == strip(theirs.out), "\(command[0])")
    }

    // A store: the same shard weights, the same evaluation.
    let (a, b) = (dir.appendingPathComponent("a"), dir.appendingPathComponent("b"))
    let store = ["--sisa-shards", "2"] + common
    #expect(
      expunge(["train", "--data", raw, "--store", a.path, "--scale", scale] + store).status == 0)
    #expect(expunge(["train", "--data", scaled, "--store", b.path] + store).status == 0)
    for shard in 0..<2 {
      #expect(
        Self.weights(a, version: 1, shard: shard) == Self.weights(b, version: 1, shard: shard))
    }
    let mine = expunge("evaluate", "--store", a.path, "--data", raw, "--id-column", "id", "--json")
    let theirs = expunge(
      "evaluate", "--store", b.path, "--data", scaled, "--id-column", "id", "--json")
    #expect(mine.status == 0 && theirs.status == 0, "\(mine.err) \(theirs.err)")
    let accuracy = { (text: String) in
      (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["accuracy"]
        as? Double
    }
    #expect(accuracy(mine.out) != nil && accuracy(mine.out) == accuracy(theirs.out))

    // The audit's recipe scales as training did: the original, retrained on every row, is
    // the audited model (which forgot nothing), so their metrics are equal.
    let ids = dir.appendingPathComponent("forget.txt").path
    try "1003\n1050\n".write(toFile: ids, atomically: true, encoding: .utf8)
    let audit = expunge(
      "audit", "--model", withScale, "--forget", ids, "--data", raw, "--id-column", "id",
      "--test", raw, "--attacks", "loss-threshold", "--reference-models", "2", "--json")
    #expect(audit.status == 0, "\(audit.err)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(audit.out.utf8)) as? [String: Any])
    let models = try #require(json["models"] as? [[String: Any]])
    #expect(models.map { $0["name"] as? String } == ["original", "unlearned", "oracle"])
    #expect(
      NSDictionary(dictionary: models[0]["metrics"] as! [String: Any])
        == NSDictionary(dictionary: models[1]["metrics"] as! [String: Any]))
  }

  @Test(arguments: [
    "abc", "0", "1/0", "0/5", "inf", "nan", "1e60", "minmax:5,5", "minmax:3,1",
    "minmax:1", "minmax:a,b", "1/", "",
  ])
  func badScaleValuesAreUsageErrors(value: String) {
    let r = expunge(
      "train", "--data", "synthetic:n=50", "--model", "softmax", "--scale=\(value)", "--out",
      "/nonexistent/m")
    #expect(r.status == 64)
    #expect(
      r.err.split(separator: "\n").first.map(String.init)
        == "Error: invalid value '\(value)' for '--scale': expected a non-zero factor to multiply by (0.5), a fraction (1/255) or minmax:LOW,HIGH with LOW < HIGH (maps LOW…HIGH to 0…1)"
    )
  }
}
