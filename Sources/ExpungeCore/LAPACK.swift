import CBLAS

/// Dense factorizations and solves through LAPACKE, on row-major double-precision matrices.
///
/// Convex-model Hessians and ridge normal equations are small (d ≤ a few thousand) and
/// ill-conditioned enough that single precision loses digits, so these work in `Double`.
public enum LAPACK {
  /// Lower Cholesky factor `L` of a symmetric positive-definite `n × n` matrix, in place
  /// (`A = L·Lᵀ`; the strict upper triangle is zeroed).
  /// - Throws: `CoreError.notPositiveDefinite` with the failing leading minor.
  /// - Complexity: n³/3 flops.
  public static func choleskyFactor(_ a: inout [Double], n: Int) throws {
    precondition(a.count == n * n, "choleskyFactor: \(a.count) elements, expected \(n)×\(n)")
    guard n > 0 else { return }
    _ = Threads.count
    let info = a.withUnsafeMutableBufferPointer {
      LAPACKE_dpotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), $0.baseAddress!, Int32(n))
    }
    if info > 0 { throw CoreError.notPositiveDefinite(order: n, failingMinor: Int(info)) }
    precondition(info == 0, "LAPACKE_dpotrf: illegal argument \(-info)")
    for i in 0..<n { for j in (i + 1)..<n { a[i * n + j] = 0 } }
  }

  /// Solves `A·X = B` given the lower Cholesky factor `L` of `A`; `B` is `n × nrhs`, row-major,
  /// overwritten by `X`.
  /// - Complexity: 2·n²·nrhs flops.
  public static func choleskySolve(factor l: [Double], n: Int, _ b: inout [Double], nrhs: Int = 1) {
    precondition(l.count == n * n && b.count == n * nrhs, "choleskySolve: shapes disagree")
    guard n > 0, nrhs > 0 else { return }
    if nrhs == 1 {
      // Two triangular solves in place: LAPACKE's row-major dpotrs would first copy the
      // factor into a transposed buffer (4.9 MB at n = 784, over half of a certified
      // removal's time).
      _ = Threads.count
      l.withUnsafeBufferPointer { pl in
        b.withUnsafeMutableBufferPointer { pb in
          for transpose in [CblasNoTrans, CblasTrans] {
            cblas_dtrsv(
              CblasRowMajor, CblasLower, transpose, CblasNonUnit, Int32(n), pl.baseAddress!,
              Int32(n), pb.baseAddress!, 1)
          }
        }
      }
      return
    }
    let info = l.withUnsafeBufferPointer { pl in
      b.withUnsafeMutableBufferPointer { pb in
        LAPACKE_dpotrs(
          LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), Int32(nrhs), pl.baseAddress!,
          Int32(n), pb.baseAddress!, Int32(nrhs))
      }
    }
    precondition(info == 0, "LAPACKE_dpotrs: illegal argument \(-info)")
  }

  /// `B ← A·B = L·(Lᵀ·B)` given the lower Cholesky factor `L` of `A` (two triangular
  /// products, `dtrmm`); `B` is `n × nrhs`, row-major. Applies `A` without storing it.
  /// - Complexity: 2·n²·nrhs flops.
  public static func choleskyMultiply(
    factor l: [Double], n: Int, _ b: inout [Double], nrhs: Int = 1
  ) {
    precondition(l.count == n * n && b.count == n * nrhs, "choleskyMultiply: shapes disagree")
    guard n > 0, nrhs > 0 else { return }
    _ = Threads.count
    l.withUnsafeBufferPointer { pl in
      b.withUnsafeMutableBufferPointer { pb in
        for side in [CblasTrans, CblasNoTrans] {
          cblas_dtrmm(
            CblasRowMajor, CblasLeft, CblasLower, side, CblasNonUnit, Int32(n), Int32(nrhs), 1,
            pl.baseAddress!, Int32(n), pb.baseAddress!, Int32(nrhs))
        }
      }
    }
  }

  /// Solves the symmetric (possibly indefinite) system `A·x = b` by Bunch–Kaufman (`dsysv`).
  /// `a` is destroyed. - Throws: `CoreError.singular` when `A` is exactly singular.
  public static func symmetricSolve(_ a: inout [Double], n: Int, _ b: inout [Double], nrhs: Int = 1)
    throws
  {
    precondition(a.count == n * n && b.count == n * nrhs, "symmetricSolve: shapes disagree")
    guard n > 0, nrhs > 0 else { return }
    var pivots = [Int32](repeating: 0, count: n)
    let info = a.withUnsafeMutableBufferPointer { pa in
      b.withUnsafeMutableBufferPointer { pb in
        LAPACKE_dsysv(
          LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), Int32(nrhs), pa.baseAddress!,
          Int32(n), &pivots, pb.baseAddress!, Int32(nrhs))
      }
    }
    if info > 0 { throw CoreError.singular(order: n) }
    precondition(info == 0, "LAPACKE_dsysv: illegal argument \(-info)")
  }

  /// Eigen-decomposition of a symmetric `n × n` matrix (`dsyevd`, divide and conquer):
  /// returns the eigenvalues in ascending order and overwrites `a` with the eigenvectors as
  /// its columns (`a[i·n + j]` is component i of eigenvector j), so `A = Q·diag(λ)·Qᵀ`.
  /// - Complexity: about 9n³ flops.
  public static func symmetricEigen(_ a: inout [Double], n: Int) -> [Double] {
    precondition(a.count == n * n, "symmetricEigen: \(a.count) elements, expected \(n)×\(n)")
    var values = [Double](repeating: 0, count: n)
    guard n > 0 else { return values }
    _ = Threads.count
    let info = a.withUnsafeMutableBufferPointer { pa in
      LAPACKE_dsyevd(
        LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n),
        pa.baseAddress!, Int32(n), &values)
    }
    precondition(info >= 0, "LAPACKE_dsyevd: illegal argument \(-info)")
    precondition(info == 0, "LAPACKE_dsyevd: no convergence (\(info))")
    return values
  }
}
