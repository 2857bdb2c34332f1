import Dispatch

/// Runs `body` over `0..<count` split into contiguous chunks on up to `Threads.count` threads.
///
/// The split depends only on `count` and `chunks`, never on timing, so a body that writes
/// only its own chunk's outputs gives the same bits on every run. Use it for non-BLAS work
/// (elementwise ops, per-row losses, tree building); BLAS calls bring their own threads.
///
/// - Parameters:
///   - count: number of items.
///   - minimumChunk: below this many items per chunk the work runs on the caller's thread
///     (default 4096), so small loops do not pay for dispatch.
///   - body: called once per chunk with the chunk's index range.
public func parallelFor(
  _ count: Int, minimumChunk: Int = 4096, _ body: @Sendable (Range<Int>) -> Void
) {
  guard count > 0 else { return }
  let chunks = min(Threads.count, max(1, count / max(1, minimumChunk)))
  if chunks == 1 {
    body(0..<count)
    return
  }
  DispatchQueue.concurrentPerform(iterations: chunks) { c in
    body(chunkRange(count: count, chunks: chunks, index: c))
  }
}

/// The `index`-th of `chunks` near-equal contiguous ranges covering `0..<count`.
public func chunkRange(count: Int, chunks: Int, index: Int) -> Range<Int> {
  let base = count / chunks
  let extra = count % chunks
  let start = index * base + min(index, extra)
  return start..<(start + base + (index < extra ? 1 : 0))
}

/// A pointer wrapper that may cross into `parallelFor` bodies. Safe only when each chunk
/// writes disjoint elements — the caller's promise.
public struct SendablePointer<T>: @unchecked Sendable {
  public let pointer: UnsafeMutablePointer<T>
  public init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
  @inlinable public subscript(i: Int) -> T {
    get { pointer[i] }
    nonmutating set { pointer[i] = newValue }
  }
}
