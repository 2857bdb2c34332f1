import Foundation

/// A progress callback (or any closure) that work running on several threads may report to:
/// each `call` runs under one lock, so the callback and the counters its caller keeps in
/// the block see one report at a time, in some order.
public final class SerializedProgress<Callback>: @unchecked Sendable {
  private let lock = NSLock()
  private let callback: Callback

  public init(_ callback: Callback) { self.callback = callback }

  /// Runs `report` with the callback, under the lock.
  public func call(_ report: (Callback) -> Void) {
    lock.lock()
    defer { lock.unlock() }
    report(callback)
  }
}
