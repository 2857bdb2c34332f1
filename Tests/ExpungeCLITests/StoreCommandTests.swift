import CSQLite
import ExpungeCore
import ExpungeData
import ExpungeStore
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `train --store`, `forget`, `log` and `evaluate --store` through the command line.
@Suite("Store commands")
struct StoreCommandTests {
  /// A CSV with an id column: rows of a synthetic dataset, ids 1000 + row.
  static func csv(without removed: Set<Int> = [], in dir: URL, name: String) throws -> String {
    let data = try DatasetCatalog.load("synthetic:n=300,d=4,classes=3,seed=9,sep=1.5")
    var text = "id,a,b,c,d,label\n"
    for i in 0..<data.count where !removed.contains(i) {
      let x = data.features.row(i).map { String($0) }.joined(separator: ",")
      text += "\(1000 + i),\(x),\(data.labels[i])\n"
    }
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func train(_ csv: String, store: URL, extra: [String] = []) {
    let r = expunge(
      [
        "train", "--data", csv, "--id-column", "id", "--model", "mlp", "--hidden", "6",
        "--epochs", "4", "--batch-size", "16", "--store", store.path, "--sisa-shards", "3",
        "--sisa-slices", "2", "--quiet",
      ] + extra)
    #expect(r.status == 0, "\(r.err)")
  }

  /// The contract users can check themselves: forget F, then compare with a store trained
  /// on the same file with F's rows deleted.
  @Test func forgettingEqualsTrainingOnTheFileWithoutTheRows() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let removed: Set<Int> = [0, 41, 42, 150, 299]
    let full = try Self.csv(in: dir, name: "full.csv")
    let edited = try Self.csv(without: removed, in: dir, name: "edited.csv")
    let a = dir.appendingPathComponent("a")
    let b = dir.appendingPathComponent("b")
    Self.train(full, store: a)
    Self.train(edited, store: b)
    let ids = removed.sorted().map { String(1000 + $0) }
    let first = expunge("forget", "--store", a.path, "--ids", ids.prefix(2).joined(separator: ","))
    #expect(first.status == 0, "\(first.err)")
    let idsFile = dir.appendingPathComponent("ids.txt")
    try ("# withdrawn\n" + ids.dropFirst(2).joined(separator: "\n") + "\n\n").write(
      to: idsFile, atomically: true, encoding: .utf8)
    let second = expunge("forget", "--store", a.path, "--ids-file", idsFile.path, "--json")
    #expect(second.status == 0, "\(second.err)")
    #expect(second.out.contains("\"removed\" : 3"))
    for shard in 0..<3 {
      let mine = FileManager.default.contents(
        atPath: a.appendingPathComponent("models/v3/shard-\(shard)/weights.safetensors").path)
      let theirs = FileManager.default.contents(
        atPath: b.appendingPathComponent("models/v1/shard-\(shard)/weights.safetensors").path)
      #expect(mine != nil && mine == theirs, "shard \(shard) differs")
    }
    let log = expunge("log", "--store", a.path, "--verify")
    #expect(log.status == 0, "\(log.err)")
    #expect(log.out.contains("Ledger verified: the hash chain of 2 request(s) holds."))
    let evaluate = expunge("evaluate", "--store", a.path, "--data", edited, "--id-column", "id")
    #expect(evaluate.status == 0, "\(evaluate.err)")
    #expect(evaluate.out.hasPrefix("Model \(a.path) (version 3) on \(edited)"))
  }

  /// `log --verify` prints the numeric environment recorded with the store and whether this
  /// machine's is the same; when it is not (here: the recorded one edited, as if the store
  /// came from a CPU whose OpenBLAS picked other kernels) it names the difference, as a
  /// warning: the exit status stays 0.
  @Test func logVerifyComparesTheNumericEnvironment() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s")
    Self.train(try Self.csv(in: dir, name: "rows.csv"), store: store)
    let here = NumericEnvironment.current
    let same = expunge("log", "--store", store.path, "--verify")
    #expect(same.status == 0, "\(same.err)")
    #expect(
      same.out.hasSuffix(
        """
        Ledger verified: the hash chain of 0 request(s) holds.
        Numeric environment of the store: \(here)
        This machine's numeric environment is the same: models trained here are expected to equal the store's bit for bit.

        """), "\(same.out)")

    var elsewhere = here
    elsewhere.blasKernels = "Elsewhere"
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let text = String(decoding: try encoder.encode(elsewhere), as: UTF8.self)
    var db: OpaquePointer?
    #expect(sqlite3_open(store.appendingPathComponent("expunge.sqlite").path, &db) == SQLITE_OK)
    let edit =
      "UPDATE settings SET value = '\(text)' WHERE key = 'environment'; UPDATE shards SET environment = '\(text)';"
    #expect(sqlite3_exec(db, edit, nil, nil, nil) == SQLITE_OK)
    sqlite3_close(db)

    let warned = expunge("log", "--store", store.path, "--verify")
    #expect(warned.status == 0, "\(warned.err)")
    #expect(
      warned.out.hasSuffix(
        """
        Ledger verified: the hash chain of 0 request(s) holds.
        Numeric environment of the store: \(elsewhere)
        Warning: this machine's numeric environment differs from the store's: OpenBLAS kernel family \(here.blasKernels), not Elsewhere. Models trained here are not expected to equal the store's bit for bit (a warning, not a verification failure).

        """), "\(warned.out)")
    let json = expunge("log", "--store", store.path, "--verify", "--json")
    #expect(json.status == 0, "\(json.err)")
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
    #expect(document["verified"] as? Bool == true)
    let environment = try #require(document["environment"] as? [String: Any])
    #expect(environment["sameAsHere"] as? Bool == false)
    let recorded = try #require(environment["recorded"] as? [[String: Any]])
    #expect(recorded.count == 1)
    #expect(recorded.first?["shards"] as? [Int] == [0, 1, 2])
    #expect(
      recorded.first?["differences"] as? [String] == [
        "OpenBLAS kernel family \(here.blasKernels), not Elsewhere"
      ])
    #expect(
      (recorded.first?["environment"] as? [String: Any])?["blasKernels"] as? String == "Elsewhere")
    #expect((environment["here"] as? [String: Any])?["blasKernels"] as? String == here.blasKernels)
  }

  /// Mean-probability aggregation, weighted by shard size: the evaluation reports a loss
  /// (votes have none) and the store's scores are the weighted mean of the shard models'.
  @Test func meanProbabilityAggregationWeightedByShardSize() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try Self.csv(in: dir, name: "rows.csv")
    let store = dir.appendingPathComponent("s")
    Self.train(csv, store: store, extra: ["--aggregate", "mean-proba", "--weight-by-shard-size"])
    let r = expunge("evaluate", "--store", store.path, "--data", csv, "--id-column", "id", "--json")
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("\"meanLoss\" : "))
    let opened = try Store.open(store)
    let data = try opened.rows()
    let models = try opened.shardModels()
    let sizes = try opened.shardRowCounts()
    let scores = try opened.predictProbabilities(data.features)
    for i in [0, 17, 123] {
      for c in 0..<3 {
        var expected = 0.0
        for (k, model) in models.enumerated() {
          expected += Double(sizes[k]) * Double(model.predictProbabilities(data.features)[i, c])
        }
        expected /= Double(sizes.reduce(0, +))
        #expect(abs(Double(scores[i, c]) - expected) < 1e-6)
      }
    }
  }

  @Test func badStoreRequestsGetOneLineAndChangeNothing() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s")
    Self.train(try Self.csv(in: dir, name: "rows.csv"), store: store)
    func refused(_ arguments: [String], _ status: Int32, _ message: String) {
      let r = expunge(arguments)
      #expect(r.status == status, "\(arguments): \(r.err)")
      #expect(r.err.split(separator: "\n").first.map(String.init) == "Error: \(message)")
    }
    let junk = dir.appendingPathComponent("junk.txt")
    try "1001\nabc\n".write(to: junk, atomically: true, encoding: .utf8)
    refused(
      ["forget", "--store", store.path, "--ids", "5"], 65,
      "id 5 is not a training row of this store")
    refused(
      [
        "forget", "--store", store.path, "--ids",
        (1...12).map { String($0) }.joined(separator: ","),
      ], 65,
      "12 ids are not training rows of this store: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …")
    refused(
      ["forget", "--store", store.path, "--ids-file", junk.path], 65,
      "\(junk.path):2: 'abc' is not an id or a range of ids; write e.g. 3,17,100-120")
    refused(
      ["forget", "--store", store.path, "--class", "3"], 65,
      "class 3 does not exist (classes are 0…2)")
    refused(
      ["forget", "--store", dir.appendingPathComponent("none").path, "--ids", "1001"], 65,
      "\(dir.appendingPathComponent("none").path): not an Expunge store (no such directory)")
    refused(
      ["forget", "--store", dir.path, "--ids", "1001"], 65,
      "\(dir.path): not an Expunge store (no expunge.sqlite)")
    refused(
      ["forget", "--store", store.path, "--ids", "1001", "--method", "newton"], 65,
      "--method newton needs a model trained with --certified (logistic or softmax) or a ridge model; this store's model is mlp, so a Newton step would carry no guarantee. Use --method sisa or --method retrain"
    )
    refused(
      ["forget", "--store", store.path, "--relabel", "1001:7"], 65,
      "--relabel 1001:7: class 7 does not exist (classes are 0…2)")
    refused(
      ["forget", "--store", store.path, "--relabel", "1001:x"], 64,
      "invalid value '1001:x' for '--relabel': '1001:x' is not id:label")
    refused(
      ["forget", "--store", store.path, "--zero-columns", "9-3"], 64,
      "invalid value for '--zero-columns': '9-3' is a reversed range; write 3-9")
    refused(
      ["forget", "--store", store.path, "--relabel", "1001:1", "--ids", "1002"], 64,
      "--ids removes rows; correct rows in a request of their own")
    refused(
      ["forget", "--store", store.path, "--relabel", "1001:1", "--order", "1"], 64,
      "option '--order' needs --method influence")
    refused(
      [
        "forget", "--store", store.path, "--relabel", "1001:1", "--method", "influence", "--order",
        "1",
      ], 64, "--order 1 needs --tau, the step size")
    refused(
      ["forget", "--store", store.path, "--ids", "1001", "--order", "2"], 64,
      "option '--order' goes with --relabel, --zero-features or --zero-columns")
    refused(
      ["forget", "--store", store.path, "--ids", "1001", "--method", "influence"], 65,
      "--method influence corrects rows (--relabel, --zero-features, --zero-columns); to remove rows use sisa, retrain or newton"
    )
    refused(
      ["forget", "--store", store.path], 64, "say what to forget: --ids, --ids-file or --class")
    refused(
      ["forget", "--store", store.path, "--ids", "1,x"], 64,
      "invalid value for '--ids': 'x' is not an id or a range of ids; write e.g. 3,17,100-120")
    refused(
      [
        "train", "--data", "synthetic:n=50", "--sisa-shards", "2", "--out",
        dir.appendingPathComponent("m").path,
      ], 64,
      "option '--sisa-shards' needs --store")
    do {
      let held = try Store.open(store)  // another expunge holding the store
      let r = expunge("forget", "--store", store.path, "--ids", "1001")
      #expect(r.status == 65)
      #expect(r.err.hasPrefix("Error: \(store.path): the store is in use by another expunge (pid "))
      _ = held
    }
    let log = expunge("log", "--store", store.path, "--json")
    #expect(
      log.status == 0 && log.out.contains("\"requests\" : [\n\n  ]")
        || log.out.contains("\"requests\" : []"), "\(log.out)")
  }

  /// "shard 0 retrained from stage 0", not "shards retrained 0 (from stage 0)".
  @Test func forgetSaysWhichShardsItRetrained() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s")
    Self.train(try Self.csv(in: dir, name: "rows.csv"), store: store)
    let one = expunge("forget", "--store", store.path, "--ids", "1007")
    #expect(one.status == 0, "\(one.err)")
    let lines = one.out.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("Forgot 1 row (request 1, method sisa) in ") == true)
    #expect(
      try Regex("  shard [0-2] retrained from stage [0-1]").wholeMatch(in: lines[1]) != nil,
      "\(one.out)")
    #expect(lines.last == "  model version        2")

    let every = expunge(
      "forget", "--store", store.path, "--ids", "1000,1001", "--method", "retrain")
    #expect(every.out.hasPrefix("Forgot 2 rows (request 2, method retrain) in "), "\(every.out)")
    #expect(every.out.contains("\n  shards 0, 1, 2 retrained from stage 0\n"), "\(every.out)")

    let again = expunge("forget", "--store", store.path, "--ids", "1007")
    #expect(again.out.contains("\n  already forgotten    1 row, skipped\n"), "\(again.out)")
    #expect(again.out.contains("\n  no shard retrained\n"), "\(again.out)")
  }
}

@Suite("Audit command")
struct AuditCommandTests {
  /// After exact (SISA) unlearning the store's model is the oracle: every gap is 0.
  @Test func exactUnlearningAuditsAsTheOracle() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let store = dir.appendingPathComponent("s")
    StoreCommandTests.train(csv, store: store)
    let before = expunge(
      "audit", "--store", store.path, "--data", csv, "--id-column", "id", "--test", csv,
      "--json")
    #expect(before.status == 0, "\(before.err)")
    #expect(before.out.contains("nothing has been forgotten yet"))
    #expect(
      expunge("forget", "--store", store.path, "--ids", "1003,1050,1100,1101,1200").status == 0)
    let page = dir.appendingPathComponent("audit.html")
    let r = expunge(
      "audit", "--store", store.path, "--data", csv, "--id-column", "id", "--test", csv,
      "--json", "--report", page.path)
    #expect(r.status == 0, "\(r.err)")
    // The report: self-contained; one chart for the gaps, six ROC charts (one curve per
    // model each), three loss histograms, the ε buckets; every SVG well-formed XML.
    let html = try String(contentsOf: page, encoding: .utf8)
    #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
    #expect(html.components(separatedBy: "<svg").count - 1 == 11)
    #expect(html.components(separatedBy: "class=\"roc\"").count - 1 == 18)
    #expect(html.components(separatedBy: "class=\"histogram\"").count - 1 == 9)
    #expect(html.components(separatedBy: "class=\"epsilon\"").count - 1 == 5)
    #expect(html.contains("every gap is 0: the unlearned model is the oracle"))
    var rest = html[...]
    while let start = rest.range(of: "<svg"),
      let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex)
    {
      let svg = String(rest[start.lowerBound..<end.upperBound])
      #expect(XMLParser(data: Data(svg.utf8)).parse(), "malformed SVG")
      rest = rest[end.upperBound...]
    }
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    #expect(json["forgottenRows"] as? Int == 5)
    let models = try #require(json["models"] as? [[String: Any]])
    #expect(models.map { $0["name"] as? String } == ["original", "unlearned", "oracle"])
    let attacks = try #require(models[1]["attacks"] as? [[String: Any]])
    #expect(
      attacks.map { $0["name"] as? String }
        == [
          "loss-threshold", "confidence-threshold", "entropy-threshold", "shadow", "lira-online",
          "lira-offline",
        ])
    let comparison = try #require(json["oracleComparison"] as? [String: Any])
    #expect(comparison["averageGap"] as? Double == 0)
    #expect(comparison["parameterDistance"] as? Double == 0)
    let verdict = try #require(json["verdict"] as? [String: Any])
    #expect(verdict["indistinguishable"] as? Bool == true, "\(verdict)")
    #expect(html.contains("class=\"verdict\""))
    let epsilon = try #require(json["epsilonScore"] as? [String: Any])
    #expect(epsilon["models"] as? Int == 8 && (epsilon["epsilons"] as? [Double])?.count == 5)
    let timings = try #require(json["timings"] as? [String: Double])
    #expect(Set(timings.keys).isSuperset(of: ["original", "oracle", "shadow", "epsilon-score"]))
    // The oracle and the ε-score's retrained models are cached with the version; a second
    // audit reuses them and finds the same numbers.
    let cache = store.appendingPathComponent("audit-cache/v2")
    #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("oracle").path))
    let again = expunge(
      "audit", "--store", store.path, "--data", csv, "--id-column", "id", "--test", csv,
      "--json")
    let json2 = try #require(
      try JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any])
    #expect(
      NSDictionary(dictionary: ["m": json2["models"]!, "e": json2["epsilonScore"]!])
        == NSDictionary(dictionary: ["m": json["models"]!, "e": json["epsilonScore"]!]))
    // One request's rows only; a later request purges the cache of the version it replaces.
    let one = expunge(
      "audit", "--store", store.path, "--data", csv, "--id-column", "id", "--test", csv,
      "--request", "1", "--attacks", "loss-threshold", "--json")
    #expect(one.status == 0, "\(one.err)")
    #expect(expunge("forget", "--store", store.path, "--ids", "1007").status == 0)
    #expect(!FileManager.default.fileExists(atPath: cache.path))
    // Wrong data: the forgotten rows cannot be found.
    let other = try StoreCommandTests.csv(without: [3, 50], in: dir, name: "other.csv")
    let missing = expunge(
      "audit", "--store", store.path, "--data", other, "--id-column", "id", "--test", csv)
    #expect(missing.status == 65)
    #expect(missing.err.contains("holds 4 of the 6 forgotten rows"))
  }

  /// A model directory audited against the ids it should have forgotten. This one never
  /// unlearned anything, so the original — the recipe retrained on every row, the
  /// standardizer refitted — must be it, bit for bit.
  @Test func modelDirectoryAudit() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let model = dir.appendingPathComponent("m").path
    let trained = expunge(
      "train", "--data", csv, "--id-column", "id", "--model", "mlp", "--hidden", "6",
      "--epochs", "4", "--batch-size", "16", "--standardize", "--out", model, "--quiet")
    #expect(trained.status == 0, "\(trained.err)")
    let ids = dir.appendingPathComponent("forget.txt").path
    try "1003\n1050\n# a comment\n1100\n".write(toFile: ids, atomically: true, encoding: .utf8)
    let r = expunge(
      "audit", "--model", model, "--forget", ids, "--data", csv, "--id-column", "id", "--test",
      csv, "--reference-models", "2", "--json")
    #expect(r.status == 0, "\(r.err)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    #expect(json["forgottenRows"] as? Int == 3 && json["retainedRows"] as? Int == 297)
    #expect(json["epsilonScore"] == nil)
    #expect((json["notes"] as? [String])?.contains { $0.contains("no epsilon-score") } == true)
    let models = try #require(json["models"] as? [[String: Any]])
    #expect(models.map { $0["name"] as? String } == ["original", "unlearned", "oracle"])
    #expect(
      NSDictionary(dictionary: models[0]["metrics"] as! [String: Any])
        == NSDictionary(dictionary: models[1]["metrics"] as! [String: Any]))
  }

  @Test func badAuditRequestsAreRefused() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let store = dir.appendingPathComponent("s")
    StoreCommandTests.train(csv, store: store)
    let base = ["audit", "--data", csv, "--id-column", "id", "--test", csv]
    for (extra, status, message) in [
      (["--store", store.path, "--reference-models", "1"], Int32(64), "'--reference-models'"),
      (["--store", store.path, "--attacks", "loss,lira"], 64, "'--attacks'"),
      (["--model", store.path], 64, "--model needs --forget FILE"),
      (["--store", store.path, "--forget", csv], 64, "--forget goes with --model"),
      ([], 64, "give --store DIR, or --model DIR with --forget FILE"),
      (["--store", store.path, "--request", "9"], 65, "no request #9 in the ledger"),
    ] {
      let r = expunge(base + extra)
      #expect(r.status == status && r.err.contains(message), "\(extra): \(r.status) \(r.err)")
    }
    let wide = dir.appendingPathComponent("wide.csv").path
    try "id,a,b,label\n1,0,0,0\n".write(toFile: wide, atomically: true, encoding: .utf8)
    let r = expunge(
      "audit", "--store", store.path, "--data", csv, "--id-column", "id", "--test", wide)
    #expect(r.status == 65 && r.err.contains("wide.csv"), "\(r.err)")
  }
}
