import CBLAS
import Foundation

/// How many threads Expunge's numeric work uses.
///
/// Core owns this number so that BLAS threads and Expunge's own parallel loops do not
/// oversubscribe the machine. The default is every core; the environment variable
/// `EXPUNGE_THREADS` overrides it; `Threads.set(_:)` changes it at run time.
public enum Threads {
  private static let state = ThreadCountBox()

  /// The thread count in force. Reading it applies it to OpenBLAS on first use.
  public static var count: Int { state.value }

  /// Sets the thread count for BLAS and `parallelFor` (clamped to at least 1).
  public static func set(_ n: Int) { state.set(max(1, n)) }

  /// The default: `EXPUNGE_THREADS` when it is a positive integer, else the core count.
  public static var defaultCount: Int {
    if let text = ProcessInfo.processInfo.environment["EXPUNGE_THREADS"], let n = Int(text), n > 0 {
      return n
    }
    return ProcessInfo.processInfo.activeProcessorCount
  }
}

private final class ThreadCountBox: @unchecked Sendable {
  private let lock = NSLock()
  private var current: Int?

  var value: Int {
    lock.lock()
    defer { lock.unlock() }
    if let current { return current }
    let n = Threads.defaultCount
    openblas_set_num_threads(Int32(n))
    current = n
    return n
  }

  func set(_ n: Int) {
    lock.lock()
    defer { lock.unlock() }
    openblas_set_num_threads(Int32(n))
    current = n
  }
}
