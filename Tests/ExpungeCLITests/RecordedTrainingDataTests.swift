import CSQLite
import ExpungeStore
import Foundation
import Testing

/// The store remembers its data: `audit --store` and `evaluate --store` without `--data`.
@Suite("Recorded training data")
struct RecordedTrainingDataTests {
  /// A store trained on a CSV with an id column and a class selection — with `limited`, a
  /// limit and a seed too (the limit's rows depend on it) — with two of its rows forgotten;
  /// and the ids of two rows it still keeps.
  static func store(in dir: URL, limited: Bool) throws -> (
    store: URL, csv: String, kept: [String]
  ) {
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let store = dir.appendingPathComponent("s")
    let train = expunge(
      ["train", "--data", csv, "--id-column", "id", "--classes", "0,2", "--model", "softmax"]
        + ["--store", store.path, "--sisa-shards", "2", "--quiet"]
        + (limited ? ["--limit", "150", "--seed", "5"] : []))
    #expect(train.status == 0, "\(train.err)")
    let ids = try Store.open(store).rows().ids.map(\.description)
    let forget = expunge("forget", "--store", store.path, "--ids", ids[0] + "," + ids[1])
    #expect(forget.status == 0, "\(forget.err)")
    return (store, csv, [ids[2], ids[3]])
  }

  /// Without the run-dependent fields (timings).
  static func stable(_ text: String) throws -> NSDictionary {
    var json = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    json["timings"] = nil
    json["seconds"] = nil
    json["unlearningSeconds"] = nil
    return NSDictionary(dictionary: json)
  }

  @Test func auditAndEvaluateWithoutDataEqualThemWithIt() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (store, csv, _) = try Self.store(in: dir, limited: true)
    let given = [
      "--data", csv, "--id-column", "id", "--classes", "0,2", "--limit", "150",
    ]
    let evaluate = expunge("evaluate", "--store", store.path, "--json")
    #expect(evaluate.status == 0, "\(evaluate.err)")
    #expect(evaluate.err.isEmpty)
    let explicit = expunge(["evaluate", "--store", store.path, "--json"] + given)
    #expect(explicit.status == 0, "\(explicit.err)")
    #expect(evaluate.out == explicit.out)
    #expect(evaluate.out.contains("\"rows\" : 150"))

    let remembered = expunge(
      ["audit", "--store", store.path, "--test", csv, "--attacks", "loss-threshold"]
        + ["--reference-models", "2", "--json"])
    #expect(remembered.status == 0, "\(remembered.err)")
    let told = expunge(
      ["audit", "--store", store.path, "--test", csv, "--attacks", "loss-threshold"]
        + ["--reference-models", "2", "--json"] + given)
    #expect(told.status == 0, "\(told.err)")
    #expect(try Self.stable(remembered.out) == Self.stable(told.out))
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(remembered.out.utf8)) as? [String: Any])
    #expect(json["forgottenRows"] as? Int == 2)

    // Data options without --data: the recorded ones apply, so these are refused.
    let mixed = expunge("evaluate", "--store", store.path, "--id-column", "id")
    #expect(mixed.status == 64)
    #expect(
      mixed.err.hasPrefix(
        "Error: option '--id-column' goes with --data; without it the store's data is read with the options 'train --store' recorded\n"
      ))
    // A model directory records nothing.
    let model = dir.appendingPathComponent("m").path
    #expect(
      expunge("train", "--data", csv, "--id-column", "id", "--model", "softmax", "--out", model)
        .status == 0)
    let bare = expunge("evaluate", "--model", model)
    #expect(bare.status == 64 && bare.err.hasPrefix("Error: missing '--data <spec>'\n"))
  }

  /// Every file of a store with its bytes, but SQLite's journal files and the lock.
  static func files(_ store: URL) -> [String: Data] {
    CrashSafetyTests.contents(store).filter {
      !$0.key.hasSuffix("-wal") && !$0.key.hasSuffix("-shm") && $0.key != "lock"
    }
  }

  /// A changed file is refused when a row the store trained on changed or went, with one
  /// line naming the file and the rows, and the store untouched; a file that still holds
  /// every such row unchanged (a row appended) is read, with a note. (With `--limit`, any
  /// change of the file may change the rows the limit keeps, and is then refused.)
  @Test func aChangedFileIsRefusedWhenItsTrainingRowsChanged() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (store, csv, kept) = try Self.store(in: dir, limited: false)
    let original = try String(contentsOfFile: csv, encoding: .utf8)
    let before = Self.files(store)
    let ledger = expunge("log", "--store", store.path, "--json").out

    // One feature of a kept row changed.
    let edited =
      original.split(separator: "\n").map { line -> String in
        guard line.hasPrefix(kept[0] + ",") else { return String(line) }
        var fields = line.split(separator: ",").map(String.init)
        fields[1] = "99"
        return fields.joined(separator: ",")
      }.joined(separator: "\n") + "\n"
    try edited.write(toFile: csv, atomically: true, encoding: .utf8)
    #expect(edited != original)
    let size = { (text: String) in text.utf8.count }
    for command in [["evaluate"], ["audit", "--test", csv]] {
      let r = expunge(command + ["--store", store.path])
      #expect(r.status == 65, "\(command): \(r.err)")
      let lines = r.err.split(separator: "\n")
      #expect(lines.count == 1)
      let message = String(lines.first ?? "")
      #expect(
        message.hasPrefix(
          "Error: \(csv) changed since 'expunge train --store' read it (\(size(original)) → \(size(edited)) bytes, SHA-256 "
        ), "\(message)")
      #expect(
        message.hasSuffix(
          "): 1 of the store's 200 training rows differs (id \(kept[0])). Give --data to read it as it is now"
        ), "\(message)")
    }
    #expect(Self.files(store) == before)
    #expect(expunge("log", "--store", store.path, "--json").out == ledger)
    // Explicit --data still reads the file as it is.
    let explicit = expunge(
      "evaluate", "--store", store.path, "--data", csv, "--id-column", "id", "--classes", "0,2")
    #expect(explicit.status == 0, "\(explicit.err)")

    // A row gone.
    try original.split(separator: "\n").filter { !$0.hasPrefix(kept[1] + ",") }
      .joined(separator: "\n").appending("\n").write(toFile: csv, atomically: true, encoding: .utf8)
    let gone = expunge("evaluate", "--store", store.path)
    #expect(gone.status == 65)
    #expect(gone.err.contains(": 1 is missing (id \(kept[1])). Give --data"), "\(gone.err)")

    // A row appended: every training row is still there, unchanged.
    try (original + "5000,1,2,3,4,0\n").write(toFile: csv, atomically: true, encoding: .utf8)
    let appended = expunge("evaluate", "--store", store.path)
    #expect(appended.status == 0, "\(appended.err)")
    #expect(
      appended.err.hasPrefix("note: \(csv) changed since 'expunge train --store' read it ("))
    #expect(
      appended.err.hasSuffix(
        "), but holds every row the store trained on, unchanged (1 row(s) added)\n"))

    // The file gone.
    try FileManager.default.removeItem(atPath: csv)
    let missing = expunge("evaluate", "--store", store.path)
    #expect(missing.status == 65)
    #expect(
      missing.err
        == "Error: \(csv): no such file (the store's training data, as 'expunge train --store' recorded it); give --data\n"
    )
    #expect(Self.files(store) == before)
  }

  /// A store made before stores recorded their data opens as before; without --data the
  /// commands say that it is needed.
  @Test func aStoreWithoutARecordNeedsData() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (store, csv, _) = try Self.store(in: dir, limited: false)
    var db: OpaquePointer?
    #expect(sqlite3_open(store.appendingPathComponent("expunge.sqlite").path, &db) == SQLITE_OK)
    #expect(
      sqlite3_exec(db, "DELETE FROM settings WHERE key = 'training_data'", nil, nil, nil)
        == SQLITE_OK)
    sqlite3_close(db)
    for command in [["evaluate"], ["audit", "--test", csv]] {
      let r = expunge(command + ["--store", store.path])
      #expect(r.status == 64, "\(command): \(r.err)")
      #expect(
        r.err.split(separator: "\n").first.map(String.init)
          == "Error: missing '--data <spec>': the store \(store.path) was made before stores recorded their training data; give it with --data"
      )
    }
    let r = expunge(
      "evaluate", "--store", store.path, "--data", csv, "--id-column", "id", "--classes", "0,2")
    #expect(r.status == 0, "\(r.err)")
  }
}
