import CBLAS

/// `C ← op(A)·op(B) + β·C` for a product whose inner dimension k is long and whose `C` is
/// small (a convolution's weight gradient `dyᵀ·cols`: `C` is filters × patch, k is every
/// pixel of every example in the batch). `ProductSplit` cuts only `C`, which here is too
/// small to share out, and each of its tiles would pack all of the long operands again.
///
/// This product cuts k instead, into chunks fixed by k alone (at least `minimumChunk` each);
/// each chunk's partial product goes to a buffer of its own on the pool, and the partials
/// are added into `C` in chunk order — the same bits on any thread count.
public enum InnerSplitProduct {
  /// Inner-dimension elements per chunk, at least.
  public static let minimumChunk = 2048

  /// `C (m × n) ← Aᵀ·B + β·C` with `A (k × m)` and `B (k × n)` row-major (both stored with
  /// k rows): the shape of a weight gradient from output gradients and inputs.
  /// - Complexity: 2·m·n·k flops, O(chunks · m · n) extra memory.
  public static func transposedTimes(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    _ = Threads.count
    let chunks = chunkCount(k, minimumChunk: minimumChunk)
    guard chunks > 1 else {
      cblas_sgemm(
        CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda),
        b, Int32(ldb), beta, c, Int32(ldc))
      return
    }
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * m * n)  // (chunks, m, n)
    defer { partials.deallocate() }
    let (pa, pb, out) = (
      SendablePointer(UnsafeMutablePointer(mutating: a)),
      SendablePointer(UnsafeMutablePointer(mutating: b)), SendablePointer(partials)
    )
    WorkerPool.shared.run(chunks, threads: Threads.count) { t in
      let rows = chunkRange(count: k, chunks: chunks, index: t)
      cblas_sgemm(
        CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(rows.count), 1,
        pa.pointer + rows.lowerBound * lda, Int32(lda), pb.pointer + rows.lowerBound * ldb,
        Int32(ldb), 0, out.pointer + t * m * n, Int32(n))
    }
    for i in 0..<m {
      let row = c + i * ldc
      if beta == 0 {
        row.update(from: partials + i * n, count: n)
      } else {
        for j in 0..<n { row[j] = beta * row[j] + partials[i * n + j] }
      }
      for t in 1..<chunks {
        let partial = partials + t * m * n + i * n
        for j in 0..<n { row[j] += partial[j] }
      }
    }
  }
}
