import CBLAS

/// Rank-1 updates and downdates of a Cholesky factor, in O(n²) instead of a new O(n³/3)
/// factorization. LAPACK has neither; these follow LINPACK's `dchud` and `dchdd`.
///
/// The factor is stored as `LAPACK.choleskyFactor` leaves it: the lower triangle `L` of a
/// row-major `n × n` array (`l[i·n + j]`, `j ≤ i`), positive diagonal, zero strict upper
/// triangle, `A = L·Lᵀ`. Equivalently `R = Lᵀ` is LINPACK's upper factor stored column-major,
/// so row `j` of `L` is column `j` of `R`, and both sweeps below walk rows of `L`
/// contiguously.
///
/// References: G. H. Golub and C. F. Van Loan, *Matrix Computations* (4th ed.), §6.5.4;
/// G. W. Stewart, "The effects of rounding error on an algorithm for downdating a Cholesky
/// factorization", *J. Inst. Maths Applics* 23 (1979); M. Seeger, "Low rank updates for the
/// Cholesky decomposition" (2004, rev. 2008).
extension LAPACK {
  /// Replaces `L` by the Cholesky factor of `A + Σₖ xₖxₖᵀ`, one rank-1 update per vector.
  ///
  /// Each update rotates the extra row `xᵀ` into `R = Lᵀ` with Givens rotations: for each row
  /// `j` of `L` the rotations of the earlier rows are applied to `(L_ji, ξ)`, then rotation
  /// `j` zeroes `ξ`:
  ///
  ///     (L_ji, ξ) ← (c_i L_ji + s_i ξ,  c_i ξ − s_i L_ji)      for i < j   (ξ starts at x_j)
  ///     r_j = √(L_jj² + ξ²),  c_j = L_jj / r_j,  s_j = ξ / r_j,  L_jj ← r_j
  ///
  /// Since `[L x]·[L x]ᵀ = L·Lᵀ + x·xᵀ` and the rotations are orthogonal, the new `L` is the
  /// factor of `A + x·xᵀ`; its diagonal stays positive. The update cannot lose definiteness.
  ///
  /// - Parameters:
  ///   - l: the `n × n` factor, updated in place.
  ///   - n: the order, ≥ 0.
  ///   - vectors: `m × n`, row-major: the vectors `x₁ … x_m` as rows (`m ≥ 0`; `m = 1` is a
  ///     rank-1 update).
  /// - Throws: `CoreError.nonFiniteVector` when a vector has a NaN or infinite entry; every
  ///   vector is checked before `l` is touched, so `l` is unchanged.
  /// - Complexity: about 2·n²·m multiplications; O(n) extra memory.
  public static func choleskyUpdate(_ l: inout [Double], n: Int, vectors: [Double]) throws {
    try checkModification("choleskyUpdate", l, n, vectors)
    guard n > 0, !vectors.isEmpty else { return }
    var c = [Double](repeating: 0, count: n)
    var s = [Double](repeating: 0, count: n)
    l.withUnsafeMutableBufferPointer { pl in
      vectors.withUnsafeBufferPointer { pv in
        for k in 0..<(pv.count / n) {
          update(pl.baseAddress!, n, pv.baseAddress! + k * n, &c, &s)
        }
      }
    }
  }

  /// Replaces `L` by the Cholesky factor of `A − Σₖ xₖxₖᵀ`, one rank-1 downdate per vector.
  ///
  /// Each downdate is LINPACK's `dchdd` (orthogonal rotations, not hyperbolic ones: Stewart
  /// shows it is the stable choice). Solve `L·p = x`; then
  ///
  ///     A − x·xᵀ = L·(I − p·pᵀ)·Lᵀ   is positive definite  ⇔  ρ² = 1 − ‖p‖² > 0,
  ///
  /// so definiteness is decided before anything is written. Rotations `G_{n−1}, …, G_0` in
  /// the planes (i, n) turn `[p; ρ]` into `e_n` from the bottom up (`α ← √(α² + p_i²)`,
  /// starting from `α = ρ`); applied to `[Lᵀ; 0]` they give `[L'ᵀ; xᵀ]` (the last row is
  /// `(Qᵀe_n)ᵀ[Lᵀ; 0] = (L·p)ᵀ = xᵀ`), hence `L'·L'ᵀ = L·Lᵀ − x·xᵀ`. On row `j` of `L`, with
  /// `ξ = 0` and i running from j down to 0:
  ///
  ///     (L_ji, ξ) ← (c_i L_ji − s_i ξ,  c_i ξ + s_i L_ji),   c_i = α/α',  s_i = p_i/α'
  ///
  /// The new diagonal is `c_j·L_jj > 0`.
  ///
  /// - Parameters:
  ///   - l: the `n × n` factor, downdated in place.
  ///   - n: the order, ≥ 0.
  ///   - vectors: `m × n`, row-major: the vectors `x₁ … x_m` as rows, removed in that order.
  ///     Intermediate matrices lie between `A` and the result, so the batch fails exactly
  ///     when the final matrix is not positive definite (up to rounding).
  /// - Throws: `CoreError.nonFiniteVector` for a NaN or infinite entry and
  ///   `CoreError.downdateNotPositiveDefinite` when `ρ² ≤ 0` (or is not a number) for some
  ///   vector. `l` is then unchanged: one vector is validated before `l` is written; a batch
  ///   (m > 1) works on a copy of `l` that replaces it only when every downdate succeeded.
  /// - Complexity: about 3·n²·m multiplications (a triangular solve and the rotations per
  ///   vector); O(n) extra memory, plus one n × n copy when m > 1.
  public static func choleskyDowndate(_ l: inout [Double], n: Int, vectors: [Double]) throws {
    try checkModification("choleskyDowndate", l, n, vectors)
    guard n > 0, !vectors.isEmpty else { return }
    let m = vectors.count / n
    var p = [Double](repeating: 0, count: n)
    var c = [Double](repeating: 0, count: n)
    if m == 1 {
      try downdate(&l, n, vectors, vector: 0, &p, &c)
      return
    }
    var work = l
    for k in 0..<m { try downdate(&work, n, vectors, vector: k, &p, &c) }
    l = work
  }

  private static func checkModification(
    _ name: String, _ l: [Double], _ n: Int, _ vectors: [Double]
  ) throws {
    precondition(n >= 0 && l.count == n * n, "\(name): \(l.count) elements, expected \(n)×\(n)")
    precondition(
      n > 0 ? vectors.count % n == 0 : vectors.isEmpty,
      "\(name): \(vectors.count) vector elements is not a whole number of length-\(n) vectors")
    if let bad = vectors.firstIndex(where: { !$0.isFinite }) {
      throw CoreError.nonFiniteVector(order: n, vector: bad / n)
    }
  }

  /// `(c, s, r)` with `r = √(a² + b²)`, `c = a/r`, `s = b/r`, scaled as LINPACK does so that
  /// squaring cannot overflow. `b = 0` gives exactly `(1, 0, |a|)`.
  @inline(__always)
  private static func rotation(_ a: Double, _ b: Double) -> (c: Double, s: Double, r: Double) {
    let scale = abs(a) + abs(b)
    guard scale > 0 else { return (1, 0, 0) }
    let (sa, sb) = (a / scale, b / scale)
    let norm = (sa * sa + sb * sb).squareRoot()
    return (sa / norm, sb / norm, scale * norm)
  }

  // Both sweeps are chains: each step along a row needs the ξ of the step before, so a row
  // swept alone waits on a multiply and an add per element. Rows share the rotations but
  // not their chains, so `blockRows` rows are swept together as SIMD2 lanes (two rows per
  // vector, two columns per load and store) to keep the multipliers busy. Each row still
  // gets exactly its own multiplies and adds in its own order (Swift never contracts them
  // into FMAs), so the result is bit-identical to sweeping one row at a time.

  /// Rows swept together: four pairs (the loops below are written out for four), enough
  /// independent chains to cover the latency. When n is a multiple of 512 a block's rows
  /// fall in the same cache sets and about half the gain is lost.
  private static var blockRows: Int { 8 }

  private typealias Pair = SIMD2<Double>

  /// Columns `i` and `i + 1` of the rows at `row` and `row + n`, as two vectors whose lanes
  /// are the two rows.
  @inline(__always)
  private static func loadTile(
    _ row: UnsafeMutablePointer<Double>, _ n: Int, _ i: Int
  ) -> (Pair, Pair) {
    let a = UnsafeRawPointer(row + i).loadUnaligned(as: Pair.self)
    let b = UnsafeRawPointer(row + n + i).loadUnaligned(as: Pair.self)
    return (Pair(a[0], b[0]), Pair(a[1], b[1]))
  }

  @inline(__always)
  private static func storeTile(
    _ columns: (Pair, Pair), _ row: UnsafeMutablePointer<Double>, _ n: Int, _ i: Int
  ) {
    let (left, right) = columns
    UnsafeMutableRawPointer(row + i).storeBytes(of: Pair(left[0], right[0]), as: Pair.self)
    UnsafeMutableRawPointer(row + n + i).storeBytes(of: Pair(left[1], right[1]), as: Pair.self)
  }

  /// Broadcasts of `v[i]` and `v[i + 1]`.
  @inline(__always)
  private static func splat(_ v: UnsafePointer<Double>, _ i: Int) -> (Pair, Pair) {
    let both = UnsafeRawPointer(v + i).loadUnaligned(as: Pair.self)
    return (Pair(repeating: both[0]), Pair(repeating: both[1]))
  }

  /// One update step on two rows: `(L_ji, ξ) ← (c L_ji + s ξ, c ξ − s L_ji)`.
  @inline(__always)
  private static func updateStep(_ lji: Pair, _ c: Pair, _ s: Pair, _ xi: inout Pair) -> Pair {
    let out = c * lji + s * xi
    xi = c * xi - s * lji
    return out
  }

  /// One downdate step on two rows: `(L_ji, ξ) ← (c L_ji − s ξ, c ξ + s L_ji)`.
  @inline(__always)
  private static func downdateStep(_ lji: Pair, _ c: Pair, _ s: Pair, _ xi: inout Pair) -> Pair {
    let out = c * lji - s * xi
    xi = c * xi + s * lji
    return out
  }

  /// One rank-1 update, `dchud` on the rows of `L`; `c`, `s` (n) are scratch.
  ///
  /// Row j needs rotations 0..<j, the last of them made by row j − 1. A block of rows
  /// starting at j0 therefore applies rotations 0..<j0 together, then finishes row by row:
  /// row j0 + k applies rotations j0..<j0 + k and makes rotation j0 + k.
  private static func update(
    _ l: UnsafeMutablePointer<Double>, _ n: Int, _ x: UnsafePointer<Double>,
    _ c: inout [Double], _ s: inout [Double]
  ) {
    c.withUnsafeMutableBufferPointer { c in
      s.withUnsafeMutableBufferPointer { s in
        let (c, s) = (c.baseAddress!, s.baseAddress!)
        /// Rotations `from..<j` on row j, carrying ξ, then rotation j.
        func finish(_ j: Int, from: Int, _ xi: Double) {
          let row = l + j * n
          var xi = xi
          for i in from..<j {
            let lji = row[i]
            row[i] = c[i] * lji + s[i] * xi
            xi = c[i] * xi - s[i] * lji
          }
          let g = rotation(row[j], xi)
          row[j] = g.r
          c[j] = g.c
          s[j] = g.s
        }
        var j0 = 0
        while j0 + blockRows <= n {
          let rows = (l + j0 * n, l + (j0 + 2) * n, l + (j0 + 4) * n, l + (j0 + 6) * n)
          var x0 = Pair(x[j0], x[j0 + 1])
          var x1 = Pair(x[j0 + 2], x[j0 + 3])
          var x2 = Pair(x[j0 + 4], x[j0 + 5])
          var x3 = Pair(x[j0 + 6], x[j0 + 7])
          var i = 0
          while i < j0 {  // columns i and i + 1 (j0 is even)
            let ((c0, c1), (s0, s1)) = (splat(c, i), splat(s, i))
            @inline(__always) func step(_ row: UnsafeMutablePointer<Double>, _ xi: inout Pair) {
              let (left, right) = loadTile(row, n, i)
              let newLeft = updateStep(left, c0, s0, &xi)
              storeTile((newLeft, updateStep(right, c1, s1, &xi)), row, n, i)
            }
            step(rows.0, &x0)
            step(rows.1, &x1)
            step(rows.2, &x2)
            step(rows.3, &x3)
            i += 2
          }
          // In order: each row makes the rotation the next one needs.
          for (k, xi) in [x0[0], x0[1], x1[0], x1[1], x2[0], x2[1], x3[0], x3[1]].enumerated() {
            finish(j0 + k, from: j0, xi)
          }
          j0 += blockRows
        }
        for j in j0..<n { finish(j, from: 0, x[j]) }
      }
    }
  }

  /// One rank-1 downdate by row `k` of `vectors`, `dchdd` on the rows of `L`; `p` (n) ends
  /// as the sines, `c` (n) the cosines. Throws before writing `l`.
  private static func downdate(
    _ l: inout [Double], _ n: Int, _ vectors: [Double], vector k: Int,
    _ p: inout [Double], _ c: inout [Double]
  ) throws {
    for j in 0..<n { p[j] = vectors[k * n + j] }
    _ = Threads.count
    l.withUnsafeBufferPointer { pl in
      p.withUnsafeMutableBufferPointer { pp in
        cblas_dtrsv(
          CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, Int32(n), pl.baseAddress!,
          Int32(n), pp.baseAddress!, 1)
      }
    }
    var norm2 = 0.0
    for v in p { norm2 += v * v }
    let margin = 1 - norm2
    guard margin > 0 else {
      throw CoreError.downdateNotPositiveDefinite(order: n, vector: k, margin: margin)
    }
    // The rotations, from the bottom: [p_i; α] → [0; α'].
    var alpha = margin.squareRoot()
    var i = n - 1
    while i >= 0 {
      let scale = alpha + abs(p[i])
      let (a, b) = (alpha / scale, p[i] / scale)
      let norm = (a * a + b * b).squareRoot()
      c[i] = a / norm
      p[i] = b / norm
      alpha = scale * norm
      i -= 1
    }
    l.withUnsafeMutableBufferPointer { pl in
      p.withUnsafeBufferPointer { s in
        c.withUnsafeBufferPointer { c in
          applyDowndate(pl.baseAddress!, n, c.baseAddress!, s.baseAddress!)
        }
      }
    }
  }

  /// Applies the downdate's rotations to the rows of `L`: row j from i = j down to 0, ξ
  /// starting at 0. A block of rows starting at j0 (even) first runs row j0 + k alone from
  /// j0 + k down to j0, then all of them together from j0 − 1 down to 0, two columns at a
  /// time.
  private static func applyDowndate(
    _ l: UnsafeMutablePointer<Double>, _ n: Int, _ c: UnsafePointer<Double>,
    _ s: UnsafePointer<Double>
  ) {
    /// Rotations `from` down to `through` on row j, carrying ξ from 0.
    func sweep(_ j: Int, from: Int, through: Int) -> Double {
      let row = l + j * n
      var xi = 0.0
      var i = from
      while i >= through {
        let lji = row[i]
        row[i] = c[i] * lji - s[i] * xi
        xi = c[i] * xi + s[i] * lji
        i -= 1
      }
      return xi
    }
    var j0 = 0
    while j0 + blockRows <= n {
      let rows = (l + j0 * n, l + (j0 + 2) * n, l + (j0 + 4) * n, l + (j0 + 6) * n)
      func head(_ j: Int) -> Double { sweep(j, from: j, through: j0) }
      var x0 = Pair(head(j0), head(j0 + 1))
      var x1 = Pair(head(j0 + 2), head(j0 + 3))
      var x2 = Pair(head(j0 + 4), head(j0 + 5))
      var x3 = Pair(head(j0 + 6), head(j0 + 7))
      // Columns i + 1, then i, from i = j0 − 2 down to 0 (j0 is even).
      var i = j0 - 2
      while i >= 0 {
        let ((c0, c1), (s0, s1)) = (splat(c, i), splat(s, i))
        @inline(__always) func step(_ row: UnsafeMutablePointer<Double>, _ xi: inout Pair) {
          let (left, right) = loadTile(row, n, i)
          let newRight = downdateStep(right, c1, s1, &xi)
          storeTile((downdateStep(left, c0, s0, &xi), newRight), row, n, i)
        }
        step(rows.0, &x0)
        step(rows.1, &x1)
        step(rows.2, &x2)
        step(rows.3, &x3)
        i -= 2
      }
      j0 += blockRows
    }
    for j in j0..<n { _ = sweep(j, from: j, through: 0) }
  }
}
