import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An exclusive advisory lock on a store (`flock` on `DIR/lock`), held for the life of the
/// object. The kernel releases it when the process dies, so a killed `expunge` never leaves
/// a stale lock behind; the file records the holder's pid for the error message.
/// `release()` gives it up early.
///
/// `flock` locks belong to an open file description, so a second lock of the same file in
/// this process is refused as one from another process would be; the message then says the
/// holder is this process.
final class StoreLock {
  /// The lock file's descriptor; -1 once released.
  private var fd: Int32
  private let mutex = NSLock()

  /// Takes the lock `DIR/name`; with `wait`, blocks until it is free instead of refusing.
  init(directory: URL, name: String = "lock", wait: Bool = false) throws {
    let path = directory.appendingPathComponent(name).path
    let fd = open(path, O_RDWR | O_CREAT, 0o644)
    guard fd >= 0 else {
      throw StoreError.notAStore(path: directory.path, reason: "cannot open its lock file")
    }
    guard flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) == 0 else {
      var buffer = [UInt8](repeating: 0, count: 32)
      let n = pread(fd, &buffer, 31, 0)
      close(fd)
      let pid = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "unknown pid"
      let ours = pid == "\(ProcessInfo.processInfo.processIdentifier)"
      throw StoreError.locked(
        path: directory.path,
        holder: ours ? "pid \(pid), this process: close the Store that has it open" : "pid \(pid)")
    }
    let pid = Array("\(ProcessInfo.processInfo.processIdentifier)".utf8)
    _ = ftruncate(fd, 0)
    _ = pwrite(fd, pid, pid.count, 0)
    self.fd = fd
  }

  /// Gives the lock up. Idempotent.
  func release() {
    mutex.withLock {
      guard fd >= 0 else { return }
      flock(fd, LOCK_UN)
      close(fd)
      fd = -1
    }
  }

  deinit { release() }
}
