import ExpungeCore
import Testing

/// BLAS and LAPACK wrappers against naive double-precision references.
@Suite("Linear algebra")
struct LinearAlgebraTests {
  static func random(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
    var rng = SeededGenerator(seed: seed)
    return Matrix(rows: rows, cols: cols, storage: rng.normals(rows * cols))
  }

  /// op(A)·op(B) by the textbook triple loop, in Double.
  static func naiveProduct(_ a: Matrix, _ b: Matrix, _ ta: Transpose, _ tb: Transpose) -> Matrix {
    let opA = ta == .none ? a : a.transposed()
    let opB = tb == .none ? b : b.transposed()
    var c = Matrix.zeros(opA.rows, opB.cols)
    for i in 0..<opA.rows {
      for j in 0..<opB.cols {
        var s = 0.0
        for k in 0..<opA.cols { s += Double(opA[i, k]) * Double(opB[k, j]) }
        c[i, j] = Float(s)
      }
    }
    return c
  }

  @Test(arguments: [
    (Transpose.none, Transpose.none), (.none, .transpose), (.transpose, .none),
    (.transpose, .transpose),
  ])
  func gemmInEveryTransposeCombination(ta: Transpose, tb: Transpose) {
    let (m, k, n) = (7, 5, 3)
    let a = ta == .none ? Self.random(m, k, seed: 1) : Self.random(k, m, seed: 1)
    let b = tb == .none ? Self.random(k, n, seed: 2) : Self.random(n, k, seed: 2)
    let expected = Self.naiveProduct(a, b, ta, tb)
    let product = BLAS.matmul(a, b, transA: ta, transB: tb)
    #expect(product.rows == m && product.cols == n)
    #expect(product.maxAbsDifference(expected) < 1e-5)
    // α and β: C ← 2·op(A)·op(B) − C.
    var c = expected
    BLAS.gemm(a, b, transA: ta, transB: tb, alpha: 2, beta: -1, into: &c)
    #expect(c.maxAbsDifference(expected) < 1e-5)
  }

  @Test func matrixIsCopyOnWrite() {
    let a = Self.random(3, 3, seed: 4)
    var b = a
    b[1, 1] = 100
    #expect(a[1, 1] != 100)
    #expect(b[1, 1] == 100)
    #expect(a.transposed().transposed() == a)
    #expect(a.gatherRows([2, 0]).row(0) == a.row(2))
  }

  @Test func reductionsAndElementwise() {
    let a = Matrix([[1, -2, 3], [4, 5, -6]])
    #expect(a.rowSums() == [2, 3])
    #expect(a.columnSums() == [5, 3, -3])
    #expect(a.sum() == 5)
    #expect(a.argmaxRows() == [2, 1])
    #expect(abs(a.frobeniusNorm() - 91.0.squareRoot()) < 1e-12)
    #expect((a + a) == 2 * a)
    #expect((a - a).storage.allSatisfy { $0 == 0 })
    #expect(a.hadamard(a).storage == a.storage.map { $0 * $0 })
    var shifted = a
    shifted.addToEachRow([1, 1, 1])
    #expect(shifted.rowSums() == [5, 6])
  }

  /// A well-conditioned symmetric positive-definite matrix: XᵀX + n·I.
  static func spd(_ n: Int, seed: UInt64) -> [Double] {
    let x = random(n + 3, n, seed: seed)
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var s = 0.0
        for r in 0..<x.rows { s += Double(x[r, i]) * Double(x[r, j]) }
        a[i * n + j] = s + (i == j ? Double(n) : 0)
      }
    }
    return a
  }

  @Test func choleskyReconstructsAndSolves() throws {
    let n = 6
    let a = Self.spd(n, seed: 5)
    var l = a
    try LAPACK.choleskyFactor(&l, n: n)
    for i in 0..<n {
      for j in 0..<n {
        #expect(j <= i || l[i * n + j] == 0, "upper triangle must be zero")
        var s = 0.0
        for k in 0..<n { s += l[i * n + k] * l[j * n + k] }
        #expect(abs(s - a[i * n + j]) < 1e-10 * (1 + abs(a[i * n + j])))
      }
    }
    let xTrue = (0..<(2 * n)).map { Double($0) - 3.5 }  // two right-hand sides
    var b = [Double](repeating: 0, count: 2 * n)
    for i in 0..<n {
      for c in 0..<2 {
        for k in 0..<n { b[i * 2 + c] += a[i * n + k] * xTrue[k * 2 + c] }
      }
    }
    LAPACK.choleskySolve(factor: l, n: n, &b, nrhs: 2)
    for i in 0..<(2 * n) { #expect(abs(b[i] - xTrue[i]) < 1e-9) }
  }

  @Test func choleskyRefusesAnIndefiniteMatrix() {
    var a: [Double] = [1, 2, 2, 1]  // eigenvalues 3 and −1
    #expect(throws: CoreError.notPositiveDefinite(order: 2, failingMinor: 2)) {
      try LAPACK.choleskyFactor(&a, n: 2)
    }
  }

  @Test func symmetricSolveHandlesIndefiniteAndRefusesSingular() throws {
    var a: [Double] = [1, 2, 2, 1]
    var b: [Double] = [5, 4]  // x = (1, 2)
    try LAPACK.symmetricSolve(&a, n: 2, &b)
    #expect(abs(b[0] - 1) < 1e-12 && abs(b[1] - 2) < 1e-12)
    var singular: [Double] = [1, 1, 1, 1]
    var rhs: [Double] = [1, 1]
    #expect(throws: CoreError.singular(order: 2)) {
      try LAPACK.symmetricSolve(&singular, n: 2, &rhs)
    }
  }
}
