/// Why a store command cannot proceed; the store is unchanged when one is thrown.
public enum StoreError: Error, Equatable, CustomStringConvertible {
  /// The directory does not exist or holds no store.
  case notAStore(path: String, reason: String)
  /// Another `expunge` holds the store's lock.
  case locked(path: String, holder: String)
  /// `expunge train --store` into a directory that is not empty.
  case exists(path: String)
  /// A file of the store fails its checksum or cannot be parsed.
  case corrupt(path: String, reason: String)
  /// A request the store refuses, and why.
  case refused(StoreRefusal)

  public var description: String {
    switch self {
    case .notAStore(let path, let reason): return "\(path): not an Expunge store (\(reason))"
    case .locked(let path, let holder):
      return "\(path): the store is in use by another expunge (\(holder)); try again when it ends"
    case .exists(let path):
      return "\(path): exists and is not empty; choose another directory or remove it"
    case .corrupt(let path, let reason): return "\(path): damaged store file: \(reason)"
    case .refused(let refusal): return refusal.description
    }
  }
}
