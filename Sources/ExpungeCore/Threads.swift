import CBLAS
import Foundation

/// How many threads Expunge's numeric work uses.
///
/// Core owns this number. OpenBLAS is kept to one thread for every call: a product that is
/// worth splitting is split by `BLAS` into tiles whose bounds depend only on its shape, and
/// the tiles run on `WorkerPool`. OpenBLAS's own threading splits work by the thread count,
/// which changes the bits of a result; and its idle threads poll with `sched_yield` beside
/// the rest of the program, so the ones it started when it was loaded are stopped. The
/// thread count changes only the time a result takes, never its value.
///
/// The default is every core; `EXPUNGE_THREADS` overrides it (`OPENBLAS_NUM_THREADS` has no
/// effect); `Threads.set(_:)` changes it at run time.
public enum Threads {
  private static let state = ThreadCountBox()

  /// The thread count in force. Reading it first pins OpenBLAS to one thread.
  public static var count: Int { state.value }

  /// Sets the thread count for split products and `parallelFor` (clamped to at least 1).
  public static func set(_ n: Int) { state.set(max(1, n)) }

  /// Whether `tasks` equal pieces of work keep the threads busy: at least 80 % of the thread
  /// time of the rounds they take (2 or 4 tasks on 2 threads yes, 3 no: its last round
  /// leaves one thread idle, and a task that runs alone could have split its own work).
  public static func keepsBusy(tasks: Int) -> Bool {
    let threads = count
    let rounds = (tasks + threads - 1) / threads
    return tasks >= 2 && Double(tasks) >= 0.8 * Double(rounds * threads)
  }

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
    BLASKernels.chooseByCPUFeatures()
    openblas_set_num_threads(1)
    _ = blas_thread_shutdown_()
    let n = Threads.defaultCount
    current = n
    return n
  }

  func set(_ n: Int) {
    lock.lock()
    defer { lock.unlock() }
    openblas_set_num_threads(1)
    current = n
  }
}
