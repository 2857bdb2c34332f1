import ExpungeCore
import ExpungeData
import Foundation

/// What a ridge fit needs to forget training rows exactly: sufficient statistics and a
/// Cholesky factor, so removing a row costs O(d²) instead of a refit's O(n·d² + d³).
///
/// `RidgeClassifier` minimizes the mean loss `(1/2n) Σᵢ ‖W xᵢ + b − eᵧᵢ‖² + (λ/2)‖W‖²_F`,
/// whose normal equations, multiplied by n, are
///
///     A Wᵀ = B,   A = S + nλI,   S = Σᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ,   B = Σᵢ (xᵢ − x̄)(eᵧᵢ − ȳ)ᵀ,
///     b = ȳ − W x̄
///
/// (x̄ = ȳ = 0 without an intercept). The state keeps Σᵢ xᵢ, the class counts, the per-class
/// feature sums (B follows from them) and the lower Cholesky factor L of `M = S + τI` for an
/// *anchor* penalty `τ = n₀λ`, n₀ being the row count when the factor was formed.
///
/// **Removing a row z** (n → n − 1) changes the centred scatter by a rank-1 term, because the
/// mean moves too (Welford's identity):
///
///     S' = S − (n/(n−1)) (z − x̄)(z − x̄)ᵀ        (S' = S − z zᵀ without an intercept)
///
/// so L is downdated by `√(n/(n−1)) (z − x̄)` (`LAPACK.choleskyDowndate`) and the sums lose z.
/// The penalty changes too, nλ → (n−1)λ: a multiple of I, a rank-d change that no rank-1
/// downdate can make. Rather than change the model's objective (every convex model here
/// puts λ on the mean loss, and `--l2` means the same for all of them), the factor keeps τ
/// and the solve makes up the difference `μ = τ − nλ = (n₀ − n)λ ≥ 0`:
///
///     A = M − μI   is solved by conjugate gradients preconditioned by M = L Lᵀ.
///
/// The preconditioned matrix `M⁻¹A = I − μM⁻¹` has its eigenvalues in `[n/n₀, 1)` (M ⪰ τI),
/// so CG's error shrinks at least by `(√κ − 1)/(√κ + 1)`, κ = n₀/n, per iteration: about
/// 2.6 digits per iteration after removing 1 % of the rows. The iteration stops on a
/// certified bound, `‖Ŵ − W*‖_F ≤ ‖B − AŴ‖_F / (nλ)` (since A ⪰ nλI), or at rounding level,
/// so the result is the refit's minimizer, not an approximation of it. When fewer than half
/// the anchor's rows remain (κ > 2) the factor is re-formed from itself, `M ← L Lᵀ − μI`
/// (O(d³), no pass over the data), and τ becomes nλ.
///
/// The state cannot check that removed rows hold the features and labels they were trained
/// with; it checks their ids (each trained, not yet removed, listed once). Rows must reach it
/// exactly as they reached `fit`: a feature pipeline fitted on the training rows (a
/// standardizer) changes when rows leave, which no downdate can follow.
///
/// References: Golub & Van Loan, *Matrix Computations* §6.5.4 (downdating); B. P. Welford,
/// "Note on a method for calculating corrected sums of squares and products",
/// *Technometrics* 4 (1962); Hestenes & Stiefel (1952) for conjugate gradients.
public struct RidgeState: Sendable, Equatable {
  /// The hyperparameters of the fit.
  public let config: RidgeConfig
  /// d.
  public let featureCount: Int
  /// K.
  public let classCount: Int
  /// n, the rows the state now holds.
  public private(set) var rowCount: Int
  /// Ids of those rows.
  public private(set) var ids: Set<SampleID>
  /// n₀: the factor is of `S + n₀λI`. Equal to `rowCount` after a fit or a re-anchoring.
  public private(set) var anchorRowCount: Int
  /// (d, d) row-major lower Cholesky factor L, `L Lᵀ = S + n₀λI`.
  public private(set) var factor: [Double]
  /// (d) Σᵢ xᵢ.
  public private(set) var featureSums: [Double]
  /// (K) rows of each class.
  public private(set) var classCounts: [Int]
  /// (K, d) Σ_{i: yᵢ = c} xᵢ, row c.
  public private(set) var classFeatureSums: [Double]

  /// The anchor penalty τ = n₀λ the factor carries.
  public var anchorPenalty: Double { Double(anchorRowCount) * config.l2 }

  /// Forms the statistics and factors `S + nλI` (`RidgeClassifier.fit` is this, then
  /// `solve()`).
  /// - Parameters:
  ///   - data: the training rows (n ≥ 1, finite, labels in `0..<classCount`, distinct ids).
  ///   - config: λ (> 0) and whether to fit an intercept.
  /// - Throws: `ModelError.invalidHyperparameter` for λ ≤ 0, `ModelError.invalidTrainingData`
  ///   for bad rows.
  /// - Complexity: O(n·d² + d³): one Gram matrix (`dsyrk`, in blocks) and one Cholesky.
  public init(fitting data: Dataset, config: RidgeConfig = .init()) throws {
    try ConvexTraining.validate(data, model: "RidgeClassifier", l2: config.l2)
    guard config.l2 > 0 else {
      throw ModelError.invalidHyperparameter(
        model: "RidgeClassifier", name: "l2", value: "\(config.l2)", expected: "a number > 0")
    }
    let (n, d, k) = (data.count, data.featureCount, data.classCount)
    let x = data.features.storage
    var sums = [Double](repeating: 0, count: d)  // (d)
    var counts = [Int](repeating: 0, count: k)  // (K)
    var classSums = [Double](repeating: 0, count: k * d)  // (K, d)
    for i in 0..<n {
      let c = Int(data.labels[i])
      counts[c] += 1
      for j in 0..<d {
        let v = Double(x[i * d + j])
        sums[j] += v
        classSums[c * d + j] += v
      }
    }
    let mean = config.fitIntercept ? sums.map { $0 / Double(n) } : sums.map { _ in 0 }
    // M = S + nλI, S = Σ (xᵢ − x̄)(xᵢ − x̄)ᵀ, chunk by chunk.
    var gram = [Double](repeating: 0, count: d * d)  // (d, d)
    var chunk = [Double](repeating: 0, count: hessianChunkRows * d)  // (rows, d)
    for start in stride(from: 0, to: n, by: hessianChunkRows) {
      let rows = min(hessianChunkRows, n - start)
      for r in 0..<rows {
        for j in 0..<d { chunk[r * d + j] = Double(x[(start + r) * d + j]) - mean[j] }
      }
      chunk.withUnsafeBufferPointer { a in
        gram.withUnsafeMutableBufferPointer { g in
          BLAS.dsyrkFull(n: rows, d: d, alpha: 1, a: a.baseAddress!, beta: 1, c: g.baseAddress!)
        }
      }
    }
    for j in 0..<d { gram[j * d + j] += Double(n) * config.l2 }
    try LAPACK.choleskyFactor(&gram, n: d)
    self.config = config
    self.featureCount = d
    self.classCount = k
    self.rowCount = n
    self.ids = Set(data.ids)
    self.anchorRowCount = n
    self.factor = gram
    self.featureSums = sums
    self.classCounts = counts
    self.classFeatureSums = classSums
  }

  /// Rebuilds a state from its saved parts (the public properties of another state).
  /// - Throws: `ModelError.invalidTrainingData` when the parts disagree in shape or count, or
  ///   the factor is not a lower triangle with a positive finite diagonal.
  public init(
    config: RidgeConfig, featureCount d: Int, classCount k: Int, ids: Set<SampleID>,
    anchorRowCount: Int, factor: [Double], featureSums: [Double], classCounts: [Int],
    classFeatureSums: [Double]
  ) throws {
    func refuse(_ reason: String) -> ModelError {
      ModelError.invalidTrainingData(model: "RidgeState", reason: reason)
    }
    guard config.l2 > 0, config.l2.isFinite else { throw refuse("l2 = \(config.l2) is not > 0") }
    guard d >= 1, k >= 1 else { throw refuse("\(d) features and \(k) classes; expected ≥ 1 each") }
    guard factor.count == d * d, featureSums.count == d, classCounts.count == k,
      classFeatureSums.count == k * d
    else {
      throw refuse(
        "parts have \(factor.count), \(featureSums.count), \(classCounts.count) and \(classFeatureSums.count) values; expected \(d * d), \(d), \(k) and \(k * d)"
      )
    }
    let n = classCounts.reduce(0, +)
    guard classCounts.allSatisfy({ $0 >= 0 }), n == ids.count, n >= 1, anchorRowCount >= n else {
      throw refuse(
        "class counts \(classCounts), \(ids.count) ids and anchor \(anchorRowCount) disagree")
    }
    let lowerAndFinite = (0..<d).allSatisfy { i in
      factor[i * d + i] > 0 && factor[i * d + i].isFinite
        && (0..<i).allSatisfy { factor[i * d + $0].isFinite }
        && ((i + 1)..<d).allSatisfy { factor[i * d + $0] == 0 }
    }
    guard lowerAndFinite, (featureSums + classFeatureSums).allSatisfy(\.isFinite) else {
      throw refuse(
        "the factor is not lower triangular with a positive diagonal, or a sum is not finite")
    }
    self.config = config
    self.featureCount = d
    self.classCount = k
    self.rowCount = n
    self.ids = ids
    self.anchorRowCount = anchorRowCount
    self.factor = factor
    self.featureSums = featureSums
    self.classCounts = classCounts
    self.classFeatureSums = classFeatureSums
  }

  /// Forgets `rows`: downdates the factor by each row's centred, scaled features (in the
  /// given order) and subtracts the rows from the sums. Re-anchors the factor when fewer than
  /// n₀/2 rows remain.
  ///
  /// The state is unchanged when this throws.
  /// - Parameter rows: rows this state holds, with the features and labels they were trained
  ///   with; ids distinct; fewer than `rowCount`. Empty: nothing happens.
  /// - Throws: `ModelError.featureCountMismatch` for the wrong width;
  ///   `ModelError.invalidTrainingData` for an id not held (or listed twice), every row,
  ///   a label out of range, a non-finite value, or rows that cannot have been trained on
  ///   (the downdated matrix is not positive definite).
  /// - Complexity: about 3·d²·m for m rows (each a rank-1 downdate), plus O(d³) when the
  ///   factor is re-anchored.
  public mutating func remove(_ rows: Dataset) throws {
    func refuse(_ reason: String) -> ModelError {
      ModelError.invalidTrainingData(model: "RidgeState", reason: reason)
    }
    let (d, k, m) = (featureCount, classCount, rows.count)
    guard rows.featureCount == d else {
      throw ModelError.featureCountMismatch(
        model: "RidgeState", expected: d, found: rows.featureCount)
    }
    guard m > 0 else { return }
    var seen = Set<SampleID>()
    for id in rows.ids where !ids.contains(id) || !seen.insert(id).inserted {
      throw refuse(
        "row id \(id) is not among the \(rowCount) rows this state holds (never trained on, already removed, or listed twice)"
      )
    }
    guard m < rowCount else {
      throw refuse("cannot remove all \(rowCount) rows; at least one must remain (retrain instead)")
    }
    if let bad = rows.labels.first(where: { $0 < 0 || Int($0) >= k }) {
      throw refuse("label \(bad) is outside 0..<\(k)")
    }
    if let i = rows.features.storage.firstIndex(where: { !$0.isFinite }) {
      throw refuse("row with id \(rows.ids[i / d]) has a non-finite value in column \(i % d + 1)")
    }
    var sums = featureSums
    var counts = classCounts
    var classSums = classFeatureSums
    var vectors = [Double](repeating: 0, count: m * d)  // (m, d): one downdate per row
    let x = rows.features.storage
    for r in 0..<m {
      let c = Int(rows.labels[r])
      let before = Double(rowCount - r)  // rows held before this one leaves
      let scale = config.fitIntercept ? (before / (before - 1)).squareRoot() : 1
      for j in 0..<d {
        let v = Double(x[r * d + j])
        vectors[r * d + j] = scale * (config.fitIntercept ? v - sums[j] / before : v)
        sums[j] -= v
        classSums[c * d + j] -= v
      }
      counts[c] -= 1
      guard counts[c] >= 0 else {
        throw refuse("more rows of class \(c) to remove than the \(classCounts[c]) trained on")
      }
    }
    var newFactor = factor
    do {
      try LAPACK.choleskyDowndate(&newFactor, n: d, vectors: vectors)
    } catch let error as CoreError {
      throw refuse("the rows to remove cannot all have been trained on: \(error)")
    }
    let remaining = rowCount - m
    var anchor = anchorRowCount
    if 2 * remaining < anchor {
      // M ← L Lᵀ − μI = S' + (n − m)λI, refactored.
      var reformed = [Double](repeating: 0, count: d * d)
      for j in 0..<d { reformed[j * d + j] = 1 }
      LAPACK.choleskyMultiply(factor: newFactor, n: d, &reformed, nrhs: d)
      let shift = Double(anchor - remaining) * config.l2
      for j in 0..<d { reformed[j * d + j] -= shift }
      try LAPACK.choleskyFactor(&reformed, n: d)
      newFactor = reformed
      anchor = remaining
    }
    factor = newFactor
    anchorRowCount = anchor
    rowCount = remaining
    ids.subtract(rows.ids)
    featureSums = sums
    classCounts = counts
    classFeatureSums = classSums
  }

  /// A copy of the state without `rows`; see `remove(_:)`.
  public func removing(_ rows: Dataset) throws -> RidgeState {
    var state = self
    try state.remove(rows)
    return state
  }

  /// The solution of `solve`, in double precision.
  public struct Solution: Sendable, Equatable {
    /// (K, d) W.
    public var weight: [Double]
    /// (K) b; empty without an intercept.
    public var bias: [Double]
    /// How the solve ended: `closed-form` when the factor is anchored at the current rows,
    /// else `pcg`; `iterations` counts CG steps (and refinement steps); `objective` is the
    /// data term (1/2n) Σ ‖W xᵢ + b − eᵧᵢ‖² from the statistics; `gradientNorm` is
    /// ‖B − AŴ‖_F / n, the norm of the mean objective's gradient.
    public var report: SolverReport
  }

  /// Solves `(S + nλI) Wᵀ = B` for the rows the state holds: one Cholesky solve when the
  /// factor is anchored at them (n = n₀), then conjugate gradients preconditioned by
  /// `M = L Lᵀ` until the certified error bound `‖B − AŴ‖_F / (nλ) ≤ tolerance · ‖Ŵ‖_F` holds
  /// or the true residual stops halving between restarts (rounding level).
  /// - Parameters:
  ///   - tolerance: relative bound on the error in W. Default 1e-10; range > 0.
  ///   - maxIterations: cap on CG steps. Default 100; range ≥ 0.
  /// - Returns: W and b; `report.converged` says whether the bound, or a backward error of at
  ///   most d·ε, was reached.
  /// - Complexity: O(d²·K) per iteration (two triangular products and two triangular solves
  ///   on d × K blocks); iterations ≈ log(1/tolerance) / log((√κ + 1)/(√κ − 1)), κ = n₀/n ≤ 2.
  public func solve(tolerance: Double = 1e-10, maxIterations: Int = 100) -> Solution {
    precondition(tolerance > 0 && maxIterations >= 0, "solve: tolerance > 0, maxIterations ≥ 0")
    let clock = Date()
    let (d, k) = (featureCount, classCount)
    let n = Double(rowCount)
    let penalty = n * config.l2  // nλ ≤ λ_min(A)
    let shift = Double(anchorRowCount - rowCount) * config.l2  // μ = τ − nλ
    let b = rightHandSide()  // (d, K)
    let factor = self.factor
    func applyA(_ v: [Double]) -> [Double] {  // A·V = L Lᵀ V − μV
      var av = v
      LAPACK.choleskyMultiply(factor: factor, n: d, &av, nrhs: k)
      if shift != 0 { for i in av.indices { av[i] -= shift * v[i] } }
      return av
    }
    func applyMInverse(_ v: [Double]) -> [Double] {
      var z = v
      LAPACK.choleskySolve(factor: factor, n: d, &z, nrhs: k)
      return z
    }
    func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    func columnDots(_ u: [Double], _ v: [Double]) -> [Double] {
      var dots = [Double](repeating: 0, count: k)
      for j in 0..<d { for c in 0..<k { dots[c] += u[j * k + c] * v[j * k + c] } }
      return dots
    }
    func bounded(_ r: [Double], _ w: [Double]) -> Bool { norm(r) <= tolerance * penalty * norm(w) }

    var w = applyMInverse(b)  // (d, K) Wᵀ; exact when μ = 0
    var aw = applyA(w)
    var r = zip(b, aw).map { $0 - $1 }  // (d, K) true residual
    var iterations = 0
    var lastRestart = Double.infinity
    while !bounded(r, w), iterations < maxIterations {
      let residual = norm(r)
      guard residual < 0.5 * lastRestart else { break }  // rounding level: restarts stall
      lastRestart = residual
      var z = applyMInverse(r)
      var p = z
      var rho = columnDots(r, z)
      while iterations < maxIterations {
        let q = applyA(p)
        let pq = columnDots(p, q)
        for c in 0..<k {
          let alpha = pq[c] > 0 ? rho[c] / pq[c] : 0
          for j in 0..<d {
            w[j * k + c] += alpha * p[j * k + c]
            r[j * k + c] -= alpha * q[j * k + c]
          }
        }
        iterations += 1
        if bounded(r, w) { break }
        z = applyMInverse(r)
        let rhoNext = columnDots(r, z)
        for c in 0..<k {
          let beta = rho[c] > 0 ? rhoNext[c] / rho[c] : 0
          for j in 0..<d { p[j * k + c] = z[j * k + c] + beta * p[j * k + c] }
        }
        rho = rhoNext
      }
      // The recurrence's residual drifts from the true one; the true one decides.
      aw = applyA(w)
      r = zip(b, aw).map { $0 - $1 }
    }
    let normA = factor.reduce(0) { $0 + $1 * $1 }  // tr M = ‖L‖²_F ≥ ‖A‖₂
    let backwardError = norm(r) / (normA * norm(w) + norm(b))
    // Data term: Σᵢ ‖W(xᵢ − x̄) − (eᵧᵢ − ȳ)‖² = ⟨Wᵀ, S Wᵀ⟩ − 2⟨Wᵀ, B⟩ + Σᵢ ‖eᵧᵢ − ȳ‖².
    var total = n
    if config.fitIntercept { total -= classCounts.reduce(0) { $0 + Double($1 * $1) } / n }
    for i in w.indices { total += w[i] * (aw[i] - penalty * w[i]) - 2 * w[i] * b[i] }
    var weight = [Double](repeating: 0, count: k * d)  // (K, d)
    for c in 0..<k { for j in 0..<d { weight[c * d + j] = w[j * k + c] } }
    let bias: [Double] =
      config.fitIntercept
      ? (0..<k).map { c in
        var value = Double(classCounts[c]) / n
        for j in 0..<d { value -= weight[c * d + j] * featureSums[j] / n }
        return value
      } : []
    return Solution(
      weight: weight, bias: bias,
      report: SolverReport(
        solver: shift == 0 ? "closed-form" : "pcg", iterations: iterations, evaluations: 0,
        objective: 0.5 * max(total, 0) / n, gradientNorm: norm(r) / n,
        converged: bounded(r, w) || backwardError <= Double(d) * .ulpOfOne,
        seconds: Date().timeIntervalSince(clock)))
  }

  /// The fitted classifier for the rows the state holds; see `solve`.
  public func classifier(tolerance: Double = 1e-10, maxIterations: Int = 100) -> RidgeClassifier {
    RidgeClassifier(
      config: config, featureCount: featureCount, classCount: classCount,
      solution: solve(tolerance: tolerance, maxIterations: maxIterations))
  }

  /// B (d, K): `Σ_{i: yᵢ = c} xᵢ − (Σᵢ xᵢ)·n_c/n` in column c (no centring without intercept).
  private func rightHandSide() -> [Double] {
    let (d, k) = (featureCount, classCount)
    let n = Double(rowCount)
    var b = [Double](repeating: 0, count: d * k)
    for j in 0..<d {
      for c in 0..<k {
        let centring = config.fitIntercept ? featureSums[j] * Double(classCounts[c]) / n : 0
        b[j * k + c] = classFeatureSums[c * d + j] - centring
      }
    }
    return b
  }
}
