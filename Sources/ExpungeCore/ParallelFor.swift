/// Runs `body` over `0..<count` split into contiguous chunks, on up to `Threads.count`
/// threads of `WorkerPool`.
///
/// The split depends only on `count` and `minimumChunk`, never on the thread count or on
/// timing: a body that writes only its own chunk's outputs — or returns a per-chunk partial
/// that the caller combines in chunk order (`parallelChunks`) — gives the same bits on any
/// machine with any number of threads.
///
/// - Parameters:
///   - count: number of items.
///   - minimumChunk: the smallest chunk worth a task of its own (default 4096 items); below
///     two such chunks the work runs on the caller's thread.
///   - body: called once per chunk with the chunk's index range.
public func parallelFor(
  _ count: Int, minimumChunk: Int = 4096, _ body: @Sendable (Range<Int>) -> Void
) {
  guard count > 0 else { return }
  let chunks = chunkCount(count, minimumChunk: minimumChunk)
  WorkerPool.shared.run(chunks, threads: Threads.count) { c in
    body(chunkRange(count: count, chunks: chunks, index: c))
  }
}

/// Runs `body` over the same chunks as `parallelFor` and returns each chunk's result, in
/// chunk order. Combining them in that order is a reduction whose bits do not depend on the
/// thread count.
public func parallelChunks<T: Sendable>(
  _ count: Int, minimumChunk: Int = 4096, _ body: @Sendable (Range<Int>) -> T
) -> [T] {
  guard count > 0 else { return [] }
  let chunks = chunkCount(count, minimumChunk: minimumChunk)
  var results = [T?](repeating: nil, count: chunks)
  results.withUnsafeMutableBufferPointer { buffer in
    let out = SendablePointer(buffer.baseAddress!)
    WorkerPool.shared.run(chunks, threads: Threads.count) { c in
      out[c] = body(chunkRange(count: count, chunks: chunks, index: c))
    }
  }
  return results.map { $0! }
}

/// How many chunks `count` items make when a chunk holds at least `minimumChunk` of them
/// (at most `maximumChunks`, so a long loop does not become thousands of tiny tasks).
public func chunkCount(_ count: Int, minimumChunk: Int, maximumChunks: Int = 64) -> Int {
  min(maximumChunks, max(1, count / max(1, minimumChunk)))
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

/// `(0..<count).map(body)`, the calls spread over the pool's threads when that keeps them
/// busy (`Threads.keepsBusy(tasks:)`), else in order on the caller's thread. Work nested in a
/// call runs on that call's thread. The results come back in index order; when calls throw,
/// the error of the lowest index is rethrown (after every call has returned).
///
/// For independent pieces of work that are each too small to split well — shards of a SISA
/// ensemble, the reference models of an audit — so that they run side by side instead.
public func concurrentMap<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
  guard count > 1, Threads.keepsBusy(tasks: count) else { return try (0..<count).map(body) }
  var results = [Result<T, any Error>?](repeating: nil, count: count)
  results.withUnsafeMutableBufferPointer { buffer in
    let out = buffer.baseAddress!
    WorkerPool.shared.run(count, threads: Threads.count) { i in
      out[i] = Result { try body(i) }
    }
  }
  return try results.map { try $0!.get() }
}
