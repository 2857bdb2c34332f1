import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// Exact removal from ridge: downdating the state equals refitting on the remaining rows.
@Suite("Ridge removal")
struct RidgeRemovalTests {
  static let data = try! DatasetCatalog.load("synthetic:n=300,d=12,classes=4,seed=5,sep=1")

  static let fashionMNISTPresent = FileManager.default.fileExists(
    atPath: "\(DatasetCatalog.fashionMNISTDirectory)/train-images-idx3-ubyte.gz")
  /// 2 000 stratified Fashion-MNIST training rows (seed 1), 784 features.
  static let fashionMNIST = Result {
    try DatasetCatalog.load("fashion-mnist").limited(to: 2_000, seed: 1)
  }

  static func config(intercept: Bool, l2: Double = 1e-2) -> RidgeConfig {
    var config = RidgeConfig()
    config.fitIntercept = intercept
    config.l2 = l2
    return config
  }

  /// ‖a − b‖₂ / ‖b‖₂.
  static func relativeGap(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeGap: \(a.count) vs \(b.count) values")
    let gap = zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    return gap / b.reduce(0) { $0 + $1 * $1 }.squareRoot()
  }

  static func theta(_ solution: RidgeState.Solution) -> [Double] {
    solution.weight + solution.bias
  }

  static func theta(_ model: RidgeClassifier) -> [Double] {
    model.parameters.values.map(Double.init)
  }

  /// `count` distinct rows of `data`, chosen by `seed`.
  static func rows(_ count: Int, of data: Dataset, seed: UInt64) -> Dataset {
    var rng = SeededGenerator(seed: seed)
    return data.subset(rng.choice(data.count, count))
  }

  @Test(arguments: [true, false], [1, 7, 60])
  func removalEqualsRefit(fitIntercept: Bool, removed: Int) throws {
    let config = Self.config(intercept: fitIntercept)
    let gone = Self.rows(removed, of: Self.data, seed: UInt64(removed))
    let remaining = Self.data.removing(ids: Set(gone.ids))
    let state = try RidgeState(fitting: Self.data, config: config).removing(gone)
    #expect(state.rowCount == remaining.count && state.ids == Set(remaining.ids))
    #expect(state.anchorRowCount == Self.data.count)

    let solution = state.solve()
    #expect(solution.report.solver == "pcg" && solution.report.converged, "\(solution.report)")
    let refit = try RidgeState(fitting: remaining, config: config).solve()
    let gap = Self.relativeGap(Self.theta(solution), Self.theta(refit))
    #expect(gap <= 1e-10, "removal vs refit (Double): \(gap)")
    #expect(abs(solution.report.objective - refit.report.objective) <= 1e-10)

    let model = state.classifier()
    let refitModel = try RidgeClassifier.fit(remaining, config: config)
    let modelGap = Self.relativeGap(Self.theta(model), Self.theta(refitModel))
    #expect(modelGap <= 1e-6, "removal vs RidgeClassifier.fit (Float): \(modelGap)")

    // The test can tell the penalties apart: keeping the total penalty nλ fixed (a refit
    // with λ·n/(n − m)) misses the refit by far more than the tolerance.
    var fixedTotal = config
    fixedTotal.l2 = config.l2 * Double(Self.data.count) / Double(remaining.count)
    let fixedGap = Self.relativeGap(
      Self.theta(try RidgeState(fitting: remaining, config: fixedTotal).solve()),
      Self.theta(refit))
    #expect(fixedGap > 1e-5, "a fixed total penalty is off by only \(fixedGap)")
  }

  @Test func oneAtATimeEqualsOneBatch() throws {
    let config = Self.config(intercept: true)
    let gone = Self.rows(20, of: Self.data, seed: 3)
    let full = try RidgeState(fitting: Self.data, config: config)
    var single = full
    for i in 0..<gone.count { try single.remove(gone.subset([i])) }
    let batch = try full.removing(gone)
    #expect(single.ids == batch.ids && single.classCounts == batch.classCounts)
    let refit = try RidgeState(fitting: Self.data.removing(ids: Set(gone.ids)), config: config)
    let (a, b) = (single.solve(), batch.solve())
    #expect(Self.relativeGap(Self.theta(a), Self.theta(b)) <= 1e-12)
    #expect(Self.relativeGap(Self.theta(a), Self.theta(refit.solve())) <= 1e-10)
    #expect(Self.relativeGap(single.factor, batch.factor) <= 1e-13)
  }

  /// Removing 100 of 300 rows keeps the anchor; 100 more leave fewer than half, so the factor
  /// is re-formed at the remaining rows and the solve is a plain Cholesky solve again.
  @Test(arguments: [true, false])
  func removingMostRowsReanchors(fitIntercept: Bool) throws {
    let config = Self.config(intercept: fitIntercept)
    let order = {
      var rng = SeededGenerator(seed: 4); return rng.permutation(300)
    }()
    var state = try RidgeState(fitting: Self.data, config: config)
    for (step, anchor) in [(1, 300), (2, 100)] {
      let gone = Self.data.subset(order[((step - 1) * 100)..<(step * 100)])
      try state.remove(gone)
      #expect(state.anchorRowCount == anchor && state.rowCount == 300 - 100 * step)
      let solution = state.solve()
      #expect(solution.report.solver == (step == 1 ? "pcg" : "closed-form"))
      #expect(solution.report.converged, "\(solution.report)")
      let remaining = Self.data.subset(order[(step * 100)...].sorted())
      let refit = try RidgeState(fitting: remaining, config: config).solve()
      let gap = Self.relativeGap(Self.theta(solution), Self.theta(refit))
      #expect(gap <= 1e-10, "step \(step): \(gap)")
    }
  }

  @Test func refusedRemovalsLeaveTheStateUnchanged() throws {
    let state = try RidgeState(fitting: Self.data, config: Self.config(intercept: true))
    var probe = state
    func refused(_ rows: Dataset) -> String? {
      do {
        try probe.remove(rows)
        return nil
      } catch {
        return "\(error)"
      }
    }
    var stranger = Self.data.subset([5])
    stranger.ids = [SampleID(99_999)]
    #expect(
      refused(stranger)
        == "RidgeState: row id 99999 is not among the 300 rows this state holds (never trained on, already removed, or listed twice)"
    )
    #expect(refused(Self.data.subset([3, 3]))?.contains("row id 3 is not among") == true)
    #expect(
      refused(Self.data)
        == "RidgeState: cannot remove all 300 rows; at least one must remain (retrain instead)")
    var nan = Self.data.subset([8])
    nan.features[0, 2] = .nan
    #expect(
      refused(nan) == "RidgeState: row with id 8 has a non-finite value in column 3")
    #expect(
      refused(
        Dataset(ids: [SampleID(1)], features: Matrix.zeros(1, 11), labels: [0], classCount: 4))
        == "X has 11 features, but RidgeState is expecting 12 features as input")
    // A held id with features it was never trained with: the downdated matrix would be
    // indefinite (a smaller impostor can pass unnoticed; the ids are what the state checks).
    var impostor = Self.data.subset([9])
    impostor.features = 1_000 * impostor.features
    #expect(
      refused(impostor)?.hasPrefix(
        "RidgeState: the rows to remove cannot all have been trained on: downdating the 12×12 Cholesky factor by vector 0"
      ) == true)
    #expect(probe == state)
    try probe.remove(Self.data.subset([3]))
    #expect(refused(Self.data.subset([3]))?.contains("row id 3 is not among the 299") == true)
  }

  @Test func restoringFromPartsGivesTheSameState() throws {
    var state = try RidgeState(fitting: Self.data, config: Self.config(intercept: true))
    try state.remove(Self.rows(10, of: Self.data, seed: 6))
    func restore(factor: [Double]? = nil, classCounts: [Int]? = nil) throws -> RidgeState {
      try RidgeState(
        config: state.config, featureCount: state.featureCount, classCount: state.classCount,
        ids: state.ids, anchorRowCount: state.anchorRowCount, factor: factor ?? state.factor,
        featureSums: state.featureSums, classCounts: classCounts ?? state.classCounts,
        classFeatureSums: state.classFeatureSums)
    }
    #expect(try restore() == state)
    var upper = state.factor
    upper[1] = 0.5
    #expect(throws: ModelError.self) { try restore(factor: upper) }
    #expect(throws: ModelError.self) { try restore(classCounts: state.classCounts.map { $0 + 1 }) }
  }

  /// The fit through `RidgeState` still satisfies ridge's optimality conditions with a
  /// certified, tiny gradient, and reports a Cholesky solve.
  @Test func fitReportsAClosedFormSolve() throws {
    let model = try RidgeClassifier.fit(Self.data, config: Self.config(intercept: true))
    let report = try #require(model.solverReport)
    #expect(report.solver == "closed-form" && report.converged)
    #expect(report.gradientNorm < 1e-12, "\(report)")
    #expect(report.objective == model.meanLoss(Self.data.features, labels: Self.data.labels))
  }

  @Test(.enabled(if: fashionMNISTPresent), arguments: [true, false])
  func fashionMNISTRemovalEqualsRefit(fitIntercept: Bool) throws {
    let data = try Self.fashionMNIST.get()
    let config = Self.config(intercept: fitIntercept)
    var state = try RidgeState(fitting: data, config: config)
    var remaining = data
    for (count, seed) in [(1, 21), (50, 22)] {
      let gone = Self.rows(count, of: remaining, seed: UInt64(seed))
      try state.remove(gone)
      remaining = remaining.removing(ids: Set(gone.ids))
      let solution = state.solve()
      #expect(solution.report.converged, "\(solution.report)")
      let refit = try RidgeState(fitting: remaining, config: config).solve()
      let gap = Self.relativeGap(Self.theta(solution), Self.theta(refit))
      #expect(gap <= 1e-8, "\(count) rows, Double: \(gap)")
      let refitModel = try RidgeClassifier.fit(remaining, config: config)
      let modelGap = Self.relativeGap(Self.theta(state.classifier()), Self.theta(refitModel))
      #expect(modelGap <= 1e-6, "\(count) rows, Float: \(modelGap)")
    }
    #expect(state.rowCount == 1_949)
  }
}
