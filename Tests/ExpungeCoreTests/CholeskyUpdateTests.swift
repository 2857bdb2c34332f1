import CBLAS
import ExpungeCore
import Testing

/// Rank-1 updates and downdates against factorizing the modified matrix from scratch.
@Suite("Cholesky update and downdate")
struct CholeskyUpdateTests {
  static let orders = [1, 2, 3, 5, 8, 13, 21, 34, 60]

  static func normals(_ count: Int, _ rng: inout SeededGenerator, scale: Double = 1) -> [Double] {
    (0..<count).map { _ in scale * rng.nextNormal() }
  }

  /// A well-conditioned symmetric positive-definite n × n matrix: GᵀG/(n + 5) + I for a
  /// Gaussian (n + 5) × n G (eigenvalues in about [1, 5]).
  static func spd(_ n: Int, _ rng: inout SeededGenerator) -> [Double] {
    let rows = n + 5
    let g = normals(rows * n, &rng)
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var s = 0.0
        for r in 0..<rows { s += g[r * n + i] * g[r * n + j] }
        a[i * n + j] = s / Double(rows) + (i == j ? 1 : 0)
      }
    }
    return a
  }

  /// `A + sign·Σₖ xₖxₖᵀ` for the rows xₖ of `vectors` (m × n).
  static func adding(_ a: [Double], _ vectors: [Double], n: Int, sign: Double = 1) -> [Double] {
    var b = a
    for k in 0..<(vectors.count / n) {
      for i in 0..<n {
        for j in 0..<n { b[i * n + j] += sign * vectors[k * n + i] * vectors[k * n + j] }
      }
    }
    return b
  }

  static func factor(_ a: [Double], n: Int) throws -> [Double] {
    var l = a
    try LAPACK.choleskyFactor(&l, n: n)
    return l
  }

  /// max |L − L_ref| / max |L_ref|.
  static func relativeError(_ l: [Double], _ reference: [Double]) -> Double {
    let gap = zip(l, reference).map { abs($0 - $1) }.max() ?? 0
    return gap / (reference.map(abs).max() ?? 1)
  }

  @Test(arguments: orders)
  func updateMatchesRefactorization(n: Int) throws {
    var rng = SeededGenerator(seed: UInt64(n))
    let a = Self.spd(n, &rng)
    let x = Self.normals(n, &rng, scale: 2)
    var l = try Self.factor(a, n: n)
    try LAPACK.choleskyUpdate(&l, n: n, vectors: x)
    let error = Self.relativeError(l, try Self.factor(Self.adding(a, x, n: n), n: n))
    #expect(error <= 1e-13, "n = \(n): max relative error \(error)")
  }

  @Test(arguments: orders)
  func downdateMatchesRefactorization(n: Int) throws {
    var rng = SeededGenerator(seed: 100 + UInt64(n))
    let a = Self.spd(n, &rng)
    let x = Self.normals(n, &rng, scale: 2)
    var l = try Self.factor(Self.adding(a, x, n: n), n: n)  // factor of A + xxᵀ
    try LAPACK.choleskyDowndate(&l, n: n, vectors: x)
    let error = Self.relativeError(l, try Self.factor(a, n: n))
    #expect(error <= 1e-12, "n = \(n): max relative error \(error)")
    for i in 0..<n {
      #expect(l[i * n + i] > 0)
      #expect(((i + 1)..<n).allSatisfy { l[i * n + $0] == 0 }, "upper triangle stays zero")
    }
  }

  @Test(arguments: orders)
  func batchesMatchRefactorization(n: Int) throws {
    var rng = SeededGenerator(seed: 200 + UInt64(n))
    let a = Self.spd(n, &rng)
    let vectors = Self.normals(4 * n, &rng)  // 4 vectors
    var l = try Self.factor(a, n: n)
    try LAPACK.choleskyUpdate(&l, n: n, vectors: vectors)
    let updated = Self.relativeError(l, try Self.factor(Self.adding(a, vectors, n: n), n: n))
    try LAPACK.choleskyDowndate(&l, n: n, vectors: vectors)
    let restored = Self.relativeError(l, try Self.factor(a, n: n))
    #expect(updated <= 1e-13 && restored <= 1e-12, "n = \(n): \(updated), \(restored)")
  }

  @Test func downdateUndoesUpdate() throws {
    let n = 40
    var rng = SeededGenerator(seed: 7)
    let l0 = try Self.factor(Self.spd(n, &rng), n: n)
    var l = l0
    for _ in 0..<20 {
      let x = Self.normals(n, &rng, scale: 3)
      try LAPACK.choleskyUpdate(&l, n: n, vectors: x)
      try LAPACK.choleskyDowndate(&l, n: n, vectors: x)
    }
    let error = Self.relativeError(l, l0)
    #expect(error <= 1e-12, "20 update–downdate pairs drift by \(error)")
  }

  /// 400 rows added to A one by one are removed one by one, and a rolling window of 50 rows
  /// slides over 500 more (one update and one downdate per step, as in rolling least squares).
  @Test func manySequentialDowndatesStayAccurate() throws {
    let n = 30
    var rng = SeededGenerator(seed: 8)
    let a = Self.spd(n, &rng)
    let rows = Self.normals(400 * n, &rng)
    var l = try Self.factor(Self.adding(a, rows, n: n), n: n)
    for k in 0..<400 {
      try LAPACK.choleskyDowndate(&l, n: n, vectors: Array(rows[(k * n)..<((k + 1) * n)]))
    }
    let drained = Self.relativeError(l, try Self.factor(a, n: n))
    #expect(drained <= 1e-10, "after 400 downdates: \(drained)")

    let stream = Self.normals(550 * n, &rng)
    func row(_ t: Int) -> [Double] { Array(stream[(t * n)..<((t + 1) * n)]) }
    var window = try Self.factor(Self.adding(a, Array(stream[0..<(50 * n)]), n: n), n: n)
    for t in 50..<550 {
      try LAPACK.choleskyUpdate(&window, n: n, vectors: row(t))
      try LAPACK.choleskyDowndate(&window, n: n, vectors: row(t - 50))
    }
    let expected = try Self.factor(Self.adding(a, Array(stream[(500 * n)...]), n: n), n: n)
    let rolled = Self.relativeError(window, expected)
    #expect(rolled <= 1e-10, "after a 500-step rolling window: \(rolled)")
  }

  @Test func downdateThatLosesDefinitenessThrowsAndLeavesTheFactorUntouched() throws {
    let n = 12
    var rng = SeededGenerator(seed: 9)
    let l0 = try Self.factor(Self.spd(n, &rng), n: n)
    // x = 1.01·L·u with ‖u‖ = 1, so ‖L⁻¹x‖² = 1.0201 and A − xxᵀ has a negative eigenvalue.
    var u = Self.normals(n, &rng)
    let length = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
    u = u.map { $0 / length }
    let x = (0..<n).map { i in 1.01 * (0...i).reduce(0) { $0 + l0[i * n + $1] * u[$1] } }
    var l = l0
    let error = #expect(throws: CoreError.self) {
      try LAPACK.choleskyDowndate(&l, n: n, vectors: x)
    }
    guard case .downdateNotPositiveDefinite(n, 0, let margin) = error else {
      Issue.record("unexpected error \(String(describing: error))")
      return
    }
    #expect(abs(margin - (1 - 1.0201)) < 1e-12, "margin \(margin)")
    #expect(l.map(\.bitPattern) == l0.map(\.bitPattern))

    // Exactly singular: I − e₀e₀ᵀ.
    var identity: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
    #expect(throws: CoreError.downdateNotPositiveDefinite(order: 3, vector: 0, margin: 0)) {
      try LAPACK.choleskyDowndate(&identity, n: 3, vectors: [1, 0, 0])
    }
    #expect(identity == [1, 0, 0, 0, 1, 0, 0, 0, 1])
  }

  /// 4I minus (0, 1, 0)(0, 1, 0)ᵀ and (1.5, 0, 0)(1.5, 0, 0)ᵀ is definite; a second
  /// (1.5, 0, 0) is not. The first two downdates are undone: the batch is all or nothing.
  @Test func failedBatchLeavesTheFactorUntouched() throws {
    let l0: [Double] = [2, 0, 0, 0, 2, 0, 0, 0, 2]
    var l = l0
    let error = #expect(throws: CoreError.self) {
      try LAPACK.choleskyDowndate(&l, n: 3, vectors: [0, 1, 0, 1.5, 0, 0, 1.5, 0, 0])
    }
    guard case .downdateNotPositiveDefinite(3, 2, let margin) = error else {
      Issue.record("unexpected error \(String(describing: error))")
      return
    }
    #expect(abs(margin - (1 - 2.25 / 1.75)) < 1e-14)
    #expect(l.map(\.bitPattern) == l0.map(\.bitPattern))
  }

  @Test(arguments: [Double.nan, .infinity, -.infinity])
  func nonFiniteVectorsAreRefusedBeforeTouchingTheFactor(value: Double) throws {
    let n = 5
    var rng = SeededGenerator(seed: 10)
    let l0 = try Self.factor(Self.spd(n, &rng), n: n)
    var vectors = Self.normals(2 * n, &rng, scale: 0.1)
    vectors[n + 3] = value
    var l = l0
    #expect(throws: CoreError.nonFiniteVector(order: n, vector: 1)) {
      try LAPACK.choleskyUpdate(&l, n: n, vectors: vectors)
    }
    #expect(throws: CoreError.nonFiniteVector(order: n, vector: 1)) {
      try LAPACK.choleskyDowndate(&l, n: n, vectors: vectors)
    }
    #expect(l.map(\.bitPattern) == l0.map(\.bitPattern))
  }

  @Test func zeroVectorsEmptyBatchesAndOrderZeroChangeNothing() throws {
    let n = 6
    var rng = SeededGenerator(seed: 11)
    let l0 = try Self.factor(Self.spd(n, &rng), n: n)
    var l = l0
    for zero in [0.0, -0.0] {
      try LAPACK.choleskyUpdate(&l, n: n, vectors: [Double](repeating: zero, count: n))
      try LAPACK.choleskyDowndate(&l, n: n, vectors: [Double](repeating: zero, count: n))
    }
    try LAPACK.choleskyUpdate(&l, n: n, vectors: [])
    try LAPACK.choleskyDowndate(&l, n: n, vectors: [])
    #expect(l == l0)
    var empty: [Double] = []
    try LAPACK.choleskyUpdate(&empty, n: 0, vectors: [])
    try LAPACK.choleskyDowndate(&empty, n: 0, vectors: [])
    #expect(empty.isEmpty)
  }

  @Test func errorMessages() {
    #expect(
      CoreError.downdateNotPositiveDefinite(order: 3, vector: 2, margin: -0.25).description
        == "downdating the 3×3 Cholesky factor by vector 2 would leave a matrix that is not positive definite (1 − ‖L⁻¹x‖² = -0.25); the factor is unchanged"
    )
    #expect(
      CoreError.nonFiniteVector(order: 5, vector: 1).description
        == "vector 1 of the update of the 5×5 Cholesky factor has a NaN or infinite entry; the factor is unchanged"
    )
  }

  // The straightforward one-row-at-a-time sweeps (LINPACK `dchud` and `dchdd` on the rows of
  // L) that the blocked kernels must reproduce bit for bit.

  static func referenceRotation(_ a: Double, _ b: Double) -> (c: Double, s: Double, r: Double) {
    let scale = abs(a) + abs(b)
    guard scale > 0 else { return (1, 0, 0) }
    let (sa, sb) = (a / scale, b / scale)
    let norm = (sa * sa + sb * sb).squareRoot()
    return (sa / norm, sb / norm, scale * norm)
  }

  static func referenceUpdate(_ l: inout [Double], n: Int, vectors: [Double]) {
    var c = [Double](repeating: 0, count: n)
    var s = [Double](repeating: 0, count: n)
    for k in 0..<(vectors.count / n) {
      for j in 0..<n {
        var xi = vectors[k * n + j]
        for i in 0..<j {
          let lji = l[j * n + i]
          l[j * n + i] = c[i] * lji + s[i] * xi
          xi = c[i] * xi - s[i] * lji
        }
        let g = referenceRotation(l[j * n + j], xi)
        l[j * n + j] = g.r
        c[j] = g.c
        s[j] = g.s
      }
    }
  }

  static func referenceDowndate(_ l: inout [Double], n: Int, vectors: [Double]) {
    var c = [Double](repeating: 0, count: n)
    for k in 0..<(vectors.count / n) {
      var p = Array(vectors[(k * n)..<((k + 1) * n)])
      cblas_dtrsv(
        CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, Int32(n), l, Int32(n), &p, 1)
      var norm2 = 0.0
      for v in p { norm2 += v * v }
      var alpha = (1 - norm2).squareRoot()
      for i in stride(from: n - 1, through: 0, by: -1) {
        let scale = alpha + abs(p[i])
        let (a, b) = (alpha / scale, p[i] / scale)
        let norm = (a * a + b * b).squareRoot()
        c[i] = a / norm
        p[i] = b / norm
        alpha = scale * norm
      }
      for j in 0..<n {
        var xi = 0.0
        for i in stride(from: j, through: 0, by: -1) {
          let lji = l[j * n + i]
          l[j * n + i] = c[i] * lji - p[i] * xi
          xi = c[i] * xi + p[i] * lji
        }
      }
    }
  }

  /// How many elements differ in their bits (a count, not two arrays in the failure message).
  static func differing(_ a: [Double], _ b: [Double]) -> Int {
    zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
  }

  /// The blocked kernels sweep several rows at once; every element must still see the same
  /// operations in the same order, so the factors agree bit for bit with the reference,
  /// including orders below, at and just past a block's size.
  @Test(arguments: [1, 2, 3, 5, 7, 8, 9, 17, 64, 100])
  func blockedSweepsAreBitIdenticalToTheReference(n: Int) throws {
    var rng = SeededGenerator(seed: 300 + UInt64(n))
    let a = Self.spd(n, &rng)
    for m in [1, 3] {
      let vectors = Self.normals(m * n, &rng, scale: 2)
      var l = try Self.factor(a, n: n)
      var expected = l
      try LAPACK.choleskyUpdate(&l, n: n, vectors: vectors)
      Self.referenceUpdate(&expected, n: n, vectors: vectors)
      #expect(Self.differing(l, expected) == 0, "update, n = \(n), m = \(m)")

      // Downdating the factor of A + Σ xₖxₖᵀ by the same vectors stays definite.
      l = try Self.factor(Self.adding(a, vectors, n: n), n: n)
      expected = l
      try LAPACK.choleskyDowndate(&l, n: n, vectors: vectors)
      Self.referenceDowndate(&expected, n: n, vectors: vectors)
      #expect(Self.differing(l, expected) == 0, "downdate, n = \(n), m = \(m)")
    }
  }

  @Test func choleskyMultiplyAppliesTheFactoredMatrix() throws {
    let (n, nrhs) = (9, 3)
    var rng = SeededGenerator(seed: 12)
    let a = Self.spd(n, &rng)
    let b = Self.normals(n * nrhs, &rng)
    var product = b
    LAPACK.choleskyMultiply(factor: try Self.factor(a, n: n), n: n, &product, nrhs: nrhs)
    for i in 0..<n {
      for c in 0..<nrhs {
        let expected = (0..<n).reduce(0) { $0 + a[i * n + $1] * b[$1 * nrhs + c] }
        #expect(abs(product[i * nrhs + c] - expected) <= 1e-12 * (1 + abs(expected)))
      }
    }
  }
}
