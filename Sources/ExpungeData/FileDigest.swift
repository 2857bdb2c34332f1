import ExpungeCore
import Foundation

/// A file's size and SHA-256, taken when it was read, to tell later whether it is still the
/// same file.
public struct FileDigest: Codable, Sendable, Equatable {
  /// The file, as an absolute path.
  public var path: String
  /// Its size in bytes.
  public var bytes: Int
  /// Its SHA-256, in lowercase hex.
  public var sha256: String

  public init(path: String, bytes: Int, sha256: String) {
    self.path = path
    self.bytes = bytes
    self.sha256 = sha256
  }

  /// Reads the file at `path` (resolved to an absolute path) in 1 MiB blocks and digests it.
  /// - Throws: `DataError.unreadable` when it is missing or cannot be read.
  /// - Complexity: O(size of the file).
  public init(of path: String) throws {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    guard let handle = FileHandle(forReadingAtPath: absolute) else {
      throw DataError.unreadable(
        path: absolute,
        reason: FileManager.default.fileExists(atPath: absolute) ? "cannot be read" : "no such file"
      )
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    var bytes = 0
    while true {
      let block: Data
      do {
        block = try handle.read(upToCount: 1 << 20) ?? Data()
      } catch {
        throw DataError.unreadable(path: absolute, reason: "cannot be read")
      }
      if block.isEmpty { break }
      bytes += block.count
      block.withUnsafeBytes { hasher.update($0) }
    }
    self.init(path: absolute, bytes: bytes, sha256: SHA256.hexString(hasher.finalize()))
  }
}
