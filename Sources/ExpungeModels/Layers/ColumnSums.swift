import ExpungeCore

/// `out[c] (+)= Σ_r a[r, c]` over a tall `(rows, cols)` buffer (a convolution's bias
/// gradient sums every pixel of every example), on the pool.
///
/// The rows are cut into blocks fixed by the shape (`parallelChunks`); each block's sums
/// are added into `out` in block order, so the bits do not depend on the thread count.
enum ColumnSums {
  /// Rows per block, at least: 2 048 rows × 32 columns is 256 KB, worth a task.
  static let minimumRows = 2048

  static func add(
    _ a: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>,
    accumulate: Bool
  ) {
    if !accumulate { out.update(repeating: 0, count: cols) }
    let source = SendablePointer(UnsafeMutablePointer(mutating: a))
    let partials = parallelChunks(rows, minimumChunk: minimumRows) { block -> [Float] in
      var sums = [Float](repeating: 0, count: cols)
      sums.withUnsafeMutableBufferPointer { s in
        for r in block {
          let row = source.pointer + r * cols
          for c in 0..<cols { s[c] += row[c] }
        }
      }
      return sums
    }
    for sums in partials {
      for c in 0..<cols { out[c] += sums[c] }
    }
  }
}
