import CBLAS

/// Whether an operand of a matrix product is used as stored or transposed.
public enum Transpose: Sendable {
  case none
  case transpose

  fileprivate var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Thin wrappers over OpenBLAS. The only place outside `LAPACK.swift` that touches `CBLAS`.
///
/// All matrices are row-major. The pointer forms serve code that works on views into a flat
/// parameter buffer (the models); the `Matrix` forms check shapes.
public enum BLAS {
  /// `C ← α·op(A)·op(B) + β·C` on raw row-major buffers.
  ///
  /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are the row
  /// strides of the stored (untransposed) buffers. A large product is computed in tiles of
  /// `C` on several threads (`ProductSplit`, fixed by the shape: the same bits on any thread
  /// count).
  ///
  /// - Parameter epilogue: called with each tile's rows and columns of `C` right after the
  ///   tile is computed, on the thread that computed it, while the tile is still in its
  ///   cache (a layer's bias and activation, an optimizer step on a weight gradient). Tiles
  ///   are disjoint; the epilogue must touch only its own.
  /// - Complexity: 2·m·n·k floating-point operations.
  @inlinable
  public static func gemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
    epilogue: ((_ rows: Range<Int>, _ columns: Range<Int>) -> Void)? = nil
  ) {
    sgemmRaw(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue)
  }

  @usableFromInline
  static func sgemmRaw(
    _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ epilogue: ((_ rows: Range<Int>, _ columns: Range<Int>) -> Void)? = nil
  ) {
    guard m > 0, n > 0 else { return }
    _ = Threads.count  // pins OpenBLAS to one thread before its first call
    let split = ProductSplit(m: m, n: n, k: k)
    split.run(transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc) {
      rows, columns, ao, bo, co in
      cblas_sgemm(
        CblasRowMajor, transA.cblas, transB.cblas, Int32(rows.count), Int32(columns.count),
        Int32(k), alpha, a + ao, Int32(lda), b + bo, Int32(ldb), beta, c + co, Int32(ldc))
      epilogue?(rows, columns)
    }
  }

  /// `C ← α·op(A)·op(B) + β·C`, shapes checked.
  public static func gemm(
    _ a: Matrix, _ b: Matrix, transA: Transpose = .none, transB: Transpose = .none,
    alpha: Float = 1, beta: Float = 0, into c: inout Matrix
  ) {
    let (m, ka) = transA == .none ? (a.rows, a.cols) : (a.cols, a.rows)
    let (kb, n) = transB == .none ? (b.rows, b.cols) : (b.cols, b.rows)
    precondition(
      ka == kb, "gemm: op(A) is \(m)×\(ka) but op(B) is \(kb)×\(n); inner dimensions differ")
    precondition(
      c.rows == m && c.cols == n, "gemm: C is \(c.rows)×\(c.cols), expected \(m)×\(n)")
    a.storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        c.storage.withUnsafeMutableBufferPointer { pc in
          sgemmRaw(
            transA, transB, m, n, ka, alpha, pa.baseAddress!, max(a.cols, 1), pb.baseAddress!,
            max(b.cols, 1), beta, pc.baseAddress!, max(n, 1))
        }
      }
    }
  }

  /// `op(A)·op(B)` as a new matrix.
  public static func matmul(
    _ a: Matrix, _ b: Matrix, transA: Transpose = .none, transB: Transpose = .none
  ) -> Matrix {
    let m = transA == .none ? a.rows : a.cols
    let n = transB == .none ? b.cols : b.rows
    var c = Matrix.zeros(m, n)
    gemm(a, b, transA: transA, transB: transB, into: &c)
    return c
  }

  /// `y ← α·op(A)·x + β·y` for a row-major `A` (`rows × cols`).
  ///
  /// Large products are split into blocks of rows fixed by the shape alone (about a million
  /// elements each), run on the pool: `A·x` block by block, `Aᵀx` as one partial sum per
  /// block, added in block order in `Double`. A product of one block is a single `sgemv`.
  public static func gemv(
    _ transA: Transpose, rows: Int, cols: Int, alpha: Float, a: UnsafePointer<Float>,
    x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
  ) {
    guard rows > 0, cols > 0 else { return }
    _ = Threads.count
    let blocks = chunkCount(rows, minimumChunk: max(1, gemvBlockElements / cols))
    if blocks == 1 {
      cblas_sgemv(
        CblasRowMajor, transA.cblas, Int32(rows), Int32(cols), alpha, a, Int32(cols), x, 1, beta,
        y, 1)
      return
    }
    if transA == .none {
      WorkerPool.shared.run(blocks, threads: Threads.count) { b in
        let r = chunkRange(count: rows, chunks: blocks, index: b)
        cblas_sgemv(
          CblasRowMajor, CblasNoTrans, Int32(r.count), Int32(cols), alpha, a + r.lowerBound * cols,
          Int32(cols), x, 1, beta, y + r.lowerBound, 1)
      }
      return
    }
    var partials = [Float](repeating: 0, count: blocks * cols)  // (blocks, cols)
    partials.withUnsafeMutableBufferPointer { p in
      let out = p.baseAddress!
      WorkerPool.shared.run(blocks, threads: Threads.count) { b in
        let r = chunkRange(count: rows, chunks: blocks, index: b)
        cblas_sgemv(
          CblasRowMajor, CblasTrans, Int32(r.count), Int32(cols), 1, a + r.lowerBound * cols,
          Int32(cols), x + r.lowerBound, 1, 0, out + b * cols, 1)
      }
    }
    for j in 0..<cols {
      var sum = 0.0
      for b in 0..<blocks { sum += Double(partials[b * cols + j]) }
      y[j] = alpha * Float(sum) + (beta == 0 ? 0 : beta * y[j])
    }
  }

  /// Elements of `A` per block of a split `gemv`: enough to outweigh a task's dispatch many
  /// times over (a block streams 4 MB from memory, about 0.5 ms on one core).
  static let gemvBlockElements = 1 << 20

  /// `y ← α·op(A)·x + β·y` in double precision, `A` row-major (`rows × cols`), one thread.
  public static func dgemv(
    _ transA: Transpose, rows: Int, cols: Int, alpha: Double, a: UnsafePointer<Double>,
    x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
  ) {
    guard rows > 0, cols > 0 else { return }
    _ = Threads.count
    cblas_dgemv(
      CblasRowMajor, transA.cblas, Int32(rows), Int32(cols), alpha, a, Int32(cols), x, 1, beta, y,
      1)
  }

  /// `y ← α·x + y`.
  public static func axpy(
    count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
  ) {
    cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
  }

  /// `x·y`, accumulated by OpenBLAS in single precision.
  public static func dot(count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float
  {
    cblas_sdot(Int32(count), x, 1, y, 1)
  }

  /// `x ← α·x`.
  public static func scale(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
    cblas_sscal(Int32(count), alpha, x, 1)
  }

  /// `C ← α·op(A)·op(B) + β·C` in double precision (for Hessians and normal equations).
  public static func dgemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    _ = Threads.count
    let split = ProductSplit(m: m, n: n, k: k)
    split.run(transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc) {
      rows, columns, ao, bo, co in
      cblas_dgemm(
        CblasRowMajor, transA.cblas, transB.cblas, Int32(rows.count), Int32(columns.count),
        Int32(k), alpha, a + ao, Int32(lda), b + bo, Int32(ldb), beta, c + co, Int32(ldc))
    }
  }

  /// `C ← α·AᵀA + β·C` (upper and lower triangle both filled) for a row-major `n × d` `A`, in
  /// double precision. The workhorse of Gram and Hessian matrices.
  ///
  /// The upper triangle is cut into row blocks of about equal area (`GramSplit`, a function
  /// of the shape only); block `[r₀, r₁)` is one `dgemm` on one thread,
  /// `C[r₀..<r₁, r₀...] = α·A[:, r₀..<r₁]ᵀ·A[:, r₀...] + β·C[…]`.
  /// - Complexity: about n·d² flops.
  public static func dsyrkFull(
    n: Int, d: Int, alpha: Double, a: UnsafePointer<Double>, beta: Double,
    c: UnsafeMutablePointer<Double>
  ) {
    guard d > 0 else { return }
    _ = Threads.count
    let split = GramSplit(n: n, d: d)
    WorkerPool.shared.run(split.blocks, threads: Threads.count) { t in
      let r = split.range(t)
      cblas_dgemm(
        CblasRowMajor, CblasTrans, CblasNoTrans, Int32(r.count), Int32(d - r.lowerBound),
        Int32(n), alpha, a + r.lowerBound, Int32(d), a + r.lowerBound, Int32(d), beta,
        c + r.lowerBound * d + r.lowerBound, Int32(d))
    }
    for i in 0..<d { for j in 0..<i { c[i * d + j] = c[j * d + i] } }
  }
}

extension Matrix {
  /// `self · other` (shapes checked).
  public static func * (lhs: Matrix, rhs: Matrix) -> Matrix { BLAS.matmul(lhs, rhs) }
}
