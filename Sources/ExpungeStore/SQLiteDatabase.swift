import CSQLite
import Foundation

/// A minimal SQLite connection: statements with bound values, rows as arrays, transactions.
///
/// Opened in WAL mode with `synchronous=FULL`, so a committed transaction survives a crash or
/// power loss (the ledger's durability promise rests on this).
final class SQLiteDatabase {
  /// A value bound to or read from a statement.
  enum Value: Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null

    var int: Int? { if case .integer(let v) = self { return Int(v) } else { return nil } }
    var double: Double? {
      switch self {
      case .real(let v): return v
      case .integer(let v): return Double(v)
      default: return nil
      }
    }
    var string: String? { if case .text(let v) = self { return v } else { return nil } }
  }

  struct Failure: Error, CustomStringConvertible {
    var path: String
    var message: String
    var description: String { "\(path): \(message)" }
  }

  let path: String
  private var handle: OpaquePointer?

  init(path: String) throws {
    self.path = path
    var db: OpaquePointer?
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
    guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      sqlite3_close(db)
      throw Failure(path: path, message: message)
    }
    handle = db
    sqlite3_busy_timeout(db, 5_000)
    try execute("PRAGMA journal_mode=WAL")
    try execute("PRAGMA synchronous=FULL")
    try execute("PRAGMA foreign_keys=ON")
  }

  deinit { sqlite3_close(handle) }

  private func fail(_ what: String) -> Failure {
    Failure(path: path, message: "\(what): \(String(cString: sqlite3_errmsg(handle)))")
  }

  /// Runs `sql` with `values` bound to its `?` parameters; returns every result row.
  @discardableResult
  func query(_ sql: String, _ values: [Value] = []) throws -> [[Value]] {
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
      throw fail("cannot prepare \(sql)")
    }
    defer { sqlite3_finalize(statement) }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    for (i, value) in values.enumerated() {
      let index = Int32(i + 1)
      switch value {
      case .integer(let v): sqlite3_bind_int64(statement, index, v)
      case .real(let v): sqlite3_bind_double(statement, index, v)
      case .text(let v): sqlite3_bind_text(statement, index, v, -1, transient)
      case .null: sqlite3_bind_null(statement, index)
      }
    }
    var rows: [[Value]] = []
    while true {
      let status = sqlite3_step(statement)
      if status == SQLITE_DONE { break }
      guard status == SQLITE_ROW else { throw fail("cannot run \(sql)") }
      rows.append(
        (0..<sqlite3_column_count(statement)).map { c in
          switch sqlite3_column_type(statement, c) {
          case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, c))
          case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, c))
          case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, c)))
          default: return .null
          }
        })
    }
    return rows
  }

  /// Runs statements that return nothing (several may be separated by semicolons).
  func execute(_ sql: String) throws {
    guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
      throw fail("cannot run \(sql)")
    }
  }

  /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`), committed when it returns and
  /// rolled back when it throws.
  @discardableResult
  func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute("BEGIN IMMEDIATE")
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }
}
