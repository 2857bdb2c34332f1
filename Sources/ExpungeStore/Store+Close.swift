import Foundation

/// Closing a store, so this process (or another) can open it again.
///
/// A store holds its directory's lock from `open` until `close()` or until the object is
/// released; a second `open` of the same directory meanwhile is refused, in this process as
/// in others (`StoreError.locked`).
extension Store {
  /// Releases the store's lock and its ledger connection. Idempotent. Using the store
  /// afterwards is a programmer error (a precondition); open it again instead.
  public func close() {
    openLedger = nil
    lock.release()
  }

  /// Whether `close()` was called.
  public var isClosed: Bool { openLedger == nil }

  /// The ledger of an open store.
  var ledger: Ledger {
    guard let openLedger else {
      preconditionFailure("\(directory.path): the store was closed; open it again")
    }
    return openLedger
  }
}
