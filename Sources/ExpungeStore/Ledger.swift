import ExpungeCore
import ExpungeData
import Foundation

/// The store's SQLite ledger: samples (id, place, content hash, state), deletion requests
/// (hash-chained), model versions and settings. It holds ids and hashes, never rows.
///
/// The numeric environment (`NumericEnvironment`, as sorted-key JSON) is recorded where
/// weights are computed: in the settings when the store is created, for each shard when it
/// is first trained (possibly on another machine, by `expunge shard-train`), and for each
/// request when it is carried out (covered by the request's hash).
final class Ledger {
  let db: SQLiteDatabase

  init(path: URL) throws { db = try SQLiteDatabase(path: path.path) }

  static let schema = """
    CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS samples (
      id INTEGER PRIMARY KEY, position INTEGER NOT NULL, shard INTEGER NOT NULL,
      slice INTEGER NOT NULL, label INTEGER NOT NULL, hash TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'active', request INTEGER);
    CREATE TABLE IF NOT EXISTS requests (
      seq INTEGER PRIMARY KEY, created TEXT NOT NULL, method TEXT NOT NULL,
      ids TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL,
      removed INTEGER, already_forgotten INTEGER, shards TEXT, seconds REAL,
      completed TEXT, previous_hash TEXT, hash TEXT, details TEXT, changes TEXT,
      environment TEXT, update_record TEXT);
    CREATE TABLE IF NOT EXISTS checkpoints (
      shard INTEGER NOT NULL, stage INTEGER NOT NULL, request INTEGER, written TEXT NOT NULL,
      PRIMARY KEY (shard, stage));
    CREATE TABLE IF NOT EXISTS shards (
      shard INTEGER PRIMARY KEY, state TEXT NOT NULL, host TEXT, pid INTEGER, finished TEXT,
      environment TEXT);
    CREATE TABLE IF NOT EXISTS versions (
      version INTEGER PRIMARY KEY, created TEXT NOT NULL, request INTEGER, rows INTEGER NOT NULL);
    """

  func createSchema() throws { try db.execute(Self.schema) }

  /// Brings a ledger written by an earlier expunge up to the current schema (a column added
  /// with a default of NULL changes no earlier record or hash). Checked again inside a write
  /// transaction, so `shard-train` processes opening an old store together add each column
  /// once.
  func migrate() throws {
    let added: [(table: String, columns: [String])] = [
      ("requests", ["details", "changes", "environment", "update_record"]),
      ("shards", ["environment"]),
    ]
    func missing() throws -> [(table: String, column: String)] {
      try added.flatMap { table, columns in
        let present = try db.query("PRAGMA table_info(\(table))").compactMap { $0[1].string }
        return columns.filter { !present.contains($0) }.map { (table, $0) }
      }
    }
    guard try !missing().isEmpty else { return }
    try db.transaction {
      for (table, column) in try missing() {
        try db.execute("ALTER TABLE \(table) ADD COLUMN \(column) TEXT")
      }
    }
  }

  /// Records that shard `shard`'s stage `stage` checkpoint was (re)written, by `request`
  /// (nil: initial training).
  func recordCheckpoint(shard: Int, stage: Int, request: Int?) throws {
    try db.query(
      "INSERT OR REPLACE INTO checkpoints(shard, stage, request, written) VALUES(?, ?, ?, ?)",
      [
        .integer(Int64(shard)), .integer(Int64(stage)),
        request.map { .integer(Int64($0)) } ?? .null,
        .text(Self.now()),
      ])
  }

  func setting(_ key: String) throws -> String? {
    try db.query("SELECT value FROM settings WHERE key = ?", [.text(key)]).first?[0].string
  }

  func setSetting(_ key: String, _ value: String) throws {
    try db.query(
      "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      [.text(key), .text(value)])
  }

  func requests(state: String? = nil) throws -> [LedgerRequest] {
    let rows = try db.query(
      "SELECT seq, created, method, ids, state, version, removed, already_forgotten, shards, seconds, completed, previous_hash, hash, details, changes, environment, update_record FROM requests"
        + (state == nil ? "" : " WHERE state = ?") + " ORDER BY seq",
      state.map { [.text($0)] } ?? [])
    let decoder = JSONDecoder()
    return rows.map { r in
      let details = r[13].string.flatMap {
        try? decoder.decode(LedgerRequest.Details.self, from: Data($0.utf8))
      }
      return LedgerRequest(
        seq: r[0].int!, created: r[1].string!, method: r[2].string!,
        ids: r[3].string!.split(separator: ",").compactMap { UInt64($0).map { SampleID($0) } },
        state: r[4].string!,
        version: r[5].int!, removed: r[6].int, alreadyForgotten: r[7].int,
        shards: r[8].string.map { $0.isEmpty ? [] : $0.split(separator: ",").map(String.init) },
        seconds: r[9].double, completed: r[10].string, previousHash: r[11].string,
        hash: r[12].string, newton: details?.newton,
        changes: r[14].string.flatMap {
          try? decoder.decode(RecordedChanges.self, from: Data($0.utf8))
        }, influence: details?.influence,
        environment: r[15].string.flatMap {
          try? decoder.decode(NumericEnvironment.self, from: Data($0.utf8))
        },
        update: r[16].string.flatMap {
          try? decoder.decode(MethodRecord.self, from: Data($0.utf8))
        })
    }
  }

  /// Records a new PENDING request and returns it (committed, so durable, on return).
  func addRequest(
    ids: [SampleID], method: String, version: Int, changes: RecordedChanges? = nil,
    update: MethodRecord? = nil
  ) throws -> LedgerRequest {
    try db.transaction {
      let created = Self.now()
      let text = ids.map(\.description).joined(separator: ",")
      try db.query(
        "INSERT INTO requests(created, method, ids, state, version, changes, update_record) VALUES(?, ?, ?, 'PENDING', ?, ?, ?)",
        [
          .text(created), .text(method), .text(text), .integer(Int64(version)),
          changes.map { .text(canonicalJSON($0)) } ?? .null,
          update.map { .text(canonicalJSON($0)) } ?? .null,
        ])
      let seq = try db.query("SELECT last_insert_rowid()")[0][0].int!
      return LedgerRequest(
        seq: seq, created: created, method: method, ids: ids, state: "PENDING",
        version: version, changes: changes, update: update)
    }
  }

  /// Marks `request` DONE with its results and this process's numeric environment (which
  /// computed them), chaining its hash to the last DONE request's.
  func complete(_ request: LedgerRequest) throws {
    try db.transaction {
      let previous =
        try db.query(
          "SELECT hash FROM requests WHERE state = 'DONE' AND seq < ? ORDER BY seq DESC LIMIT 1",
          [.integer(Int64(request.seq))]
        ).first?[0].string ?? ""
      var done = request
      done.state = "DONE"
      done.previousHash = previous
      done.environment = .current
      done.hash = SHA256.hex(done.canonical)
      try db.query(
        "UPDATE requests SET state = 'DONE', removed = ?, already_forgotten = ?, shards = ?, seconds = ?, completed = ?, previous_hash = ?, hash = ?, details = ?, environment = ?, update_record = ? WHERE seq = ?",
        [
          .integer(Int64(done.removed ?? 0)), .integer(Int64(done.alreadyForgotten ?? 0)),
          .text((done.shards ?? []).joined(separator: ",")), .real(done.seconds ?? 0),
          .text(done.completed ?? ""), .text(previous), .text(done.hash!),
          done.newton == nil && done.influence == nil ? .null : .text(canonicalJSON(done.details)),
          .text(canonicalJSON(NumericEnvironment.current)),
          done.update.map { .text(canonicalJSON($0)) } ?? .null, .integer(Int64(done.seq)),
        ])
      try db.query(
        "INSERT OR REPLACE INTO versions(version, created, request, rows) VALUES(?, ?, ?, (SELECT COUNT(*) FROM samples WHERE state = 'active'))",
        [.integer(Int64(done.version)), .text(done.completed ?? ""), .integer(Int64(done.seq))])
      try setSetting("current_version", String(done.version))
    }
  }

  /// Problems with the hash chain: a DONE record whose hash does not match its fields, or
  /// whose previous hash is not the hash of the DONE record before it (one was edited,
  /// removed or inserted). Empty when the chain holds.
  func verifyChain() throws -> [String] {
    var problems: [String] = []
    var previous = ""
    for request in try requests(state: "DONE") {
      if request.previousHash != previous {
        problems.append(
          "request \(request.seq): does not follow the request before it (one was removed or inserted)"
        )
      }
      var unhashed = request
      unhashed.hash = nil
      if SHA256.hex(unhashed.canonical) != request.hash {
        problems.append("request \(request.seq): its fields do not match its hash (edited)")
      }
      previous = request.hash ?? ""
    }
    return problems
  }

  static func now() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date())
  }
}
