import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that a reader — or a crash — sees either the old file or the whole new
/// one, never a half-written file: write to a temporary file in the same directory, fsync it,
/// rename it over the target, then fsync the directory so the rename itself is durable.
public enum AtomicFile {
  /// Replaces the file at `url` with `data`, atomically and durably.
  /// - Throws: `AtomicFile.Failure` naming the path and the system's reason.
  public static func write(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temp = directory.appendingPathComponent(
      ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw Failure(path: url.path, reason: lastError()) }
    var ok = true
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n <= 0 {
          if n < 0 && errno == EINTR { continue }
          ok = false
          break
        }
        offset += n
      }
    }
    let reason = ok ? nil : lastError()
    if ok && fsync(fd) != 0 { ok = false }
    close(fd)
    guard ok else {
      unlink(temp.path)
      throw Failure(path: url.path, reason: reason ?? lastError())
    }
    guard rename(temp.path, url.path) == 0 else {
      let reason = lastError()
      unlink(temp.path)
      throw Failure(path: url.path, reason: reason)
    }
    syncDirectory(directory)
  }

  /// fsyncs a directory so that renames and creations inside it survive a crash.
  public static func syncDirectory(_ directory: URL) {
    let fd = open(directory.path, O_RDONLY)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
  }

  /// A failed atomic write.
  public struct Failure: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot write: \(reason)" }
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}
