import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// The convex solvers reach the optimum of a real problem within stated iteration bounds,
/// judged against an independent reference solve, and stop at the floor of their arithmetic
/// instead of the iteration cap when asked for more than it resolves.
///
/// Data: Fashion-MNIST, 2 000 rows stratified by class (seed 1) for softmax regression
/// (784 features, 7 850 parameters: L-BFGS by default); shirts (class 6) against T-shirts
/// (class 0), 1 200 rows of a 6 000-row stratified sample, for logistic regression (785
/// parameters: Newton by default). λ = 10⁻³.
///
/// Reference: Newton's method with every gradient in double precision
/// (`withPrecision(.double)`), to ‖∇L‖₂ ≤ 10⁻¹⁰ — exact Hessian and Cholesky for logistic,
/// Newton-CG for softmax (conjugate gradients on Hessian-vector products, preconditioned by
/// the Kronecker approximation). Strong convexity bounds the objective gap of the reference
/// by ‖∇L‖²/(2λ) = 5·10⁻¹⁸.
@Suite("Solver convergence on Fashion-MNIST")
struct SolverConvergenceTests {
  static let l2 = 1e-3
  static let (fashion, shirts, upperHalf) = {
    let all = try! DatasetCatalog.load("fashion-mnist")
    let sample = try! all.limited(to: 6_000, seed: 1)
    // Classes 5…9 against 0…4 on all 6 000 rows: enough rows for several logistic chunks.
    let upperHalf = Dataset(
      ids: sample.ids, features: sample.features, labels: sample.labels.map { $0 >= 5 ? 1 : 0 },
      classCount: 2, source: "fashion-mnist 5…9 vs 0…4")
    return (try! all.limited(to: 2_000, seed: 1), try! sample.selectingClasses([0, 6]), upperHalf)
  }()

  static let softmax = SoftmaxObjective(
    data: fashion, classCount: fashion.classCount, l2: l2, fitIntercept: true)
  static let logistic = LogisticObjective(data: shirts, l2: l2, fitIntercept: true)
  static let softmaxReference = referenceMinimum(softmax)
  static let logisticReference = referenceMinimum(logistic)

  /// Newton's method in double precision to ‖∇L‖₂ ≤ 10⁻¹⁰ (see the suite's description).
  static func referenceMinimum(_ objective: any ConvexObjective) -> (
    theta: [Double], value: Double, gradientNorm: Double
  ) {
    let exact = objective.withPrecision(.double)!
    let p = objective.parameterCount
    var theta = [Double](repeating: 0, count: p)
    var (value, gradient) = exact.valueAndGradient(theta, rowWeights: nil)
    for _ in 0..<50 {
      let gNorm = GradientNorm.l2.of(gradient)
      if gNorm <= 1e-10 { break }
      var direction: [Double]
      if p <= 1_000 {
        var h = objective.hessian(theta, rowWeights: nil)
        try! LAPACK.choleskyFactor(&h, n: p)
        direction = gradient.map { -$0 }
        LAPACK.choleskySolve(factor: h, n: p, &direction)
      } else {
        direction = conjugateGradient(
          objective, at: theta, rhs: gradient.map { -$0 }, relativeResidual: min(0.1, gNorm))
      }
      let search = backtrackingLineSearch(
        from: theta, value: value, gradient: gradient, direction: direction
      ) { exact.valueAndGradient($0, rowWeights: nil) }
      guard let point = search.point else { break }
      (theta, value, gradient) = (point.theta, point.value, point.gradient)
    }
    return (theta, value, GradientNorm.l2.of(gradient))
  }

  /// Solves ∇²L(θ)·x = b by conjugate gradients preconditioned by the objective's inverse
  /// Hessian approximation, to ‖r‖ ≤ relativeResidual·‖b‖.
  static func conjugateGradient(
    _ objective: any ConvexObjective, at theta: [Double], rhs b: [Double],
    relativeResidual: Double
  ) -> [Double] {
    let m = objective.inverseHessianApproximation(theta, rowWeights: nil)
    func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
    var x = [Double](repeating: 0, count: b.count)
    var r = b
    var z = m?.apply(r) ?? r
    var d = z
    var rz = dot(r, z)
    let stop = relativeResidual * dot(b, b).squareRoot()
    for _ in 0..<500 {
      let hd = objective.hessianVectorProduct(theta, d, rowWeights: nil)
      let alpha = rz / dot(d, hd)
      for i in x.indices {
        x[i] += alpha * d[i]
        r[i] -= alpha * hd[i]
      }
      if dot(r, r).squareRoot() <= stop { break }
      z = m?.apply(r) ?? r
      let next = dot(r, z)
      for i in d.indices { d[i] = z[i] + (next / rz) * d[i] }
      rz = next
    }
    return x
  }

  /// L(θ) in double precision.
  static func exactValue(_ objective: any ConvexObjective, _ theta: [Double]) -> Double {
    objective.withPrecision(.double)!.valueAndGradient(theta, rowWeights: nil).value
  }

  @Test func referenceSolvesReachTheirTolerance() {
    #expect(Self.softmaxReference.gradientNorm <= 1e-10, "\(Self.softmaxReference.gradientNorm)")
    #expect(Self.logisticReference.gradientNorm <= 1e-10, "\(Self.logisticReference.gradientNorm)")
  }

  /// The default solver (L-BFGS with the Kronecker preconditioner) converges to its default
  /// tolerance (‖∇L‖₂ ≤ 10⁻⁵) within 300 iterations, in single precision, and lands within
  /// the strong-convexity bound tol²/(2λ) = 5·10⁻⁸ of the reference objective. A preconditioner that ignores the intercept pin (μ/2)(Σb)² stretches the
  /// pin's gradient by μK/λ, and L-BFGS then runs to the iteration cap.
  @Test func softmaxLBFGSReachesTheReferenceOptimum() throws {
    var config = SoftmaxRegressionConfig()
    config.l2 = Self.l2
    let model = try SoftmaxRegression.fit(Self.fashion, config: config)
    let report = try #require(model.solverReport)
    #expect(report.solver == "lbfgs")
    #expect(report.converged && report.stop == .converged, "\(report)")
    #expect(report.iterations <= 300, "\(report)")
    #expect(report.precision == .single, "the default tolerance needs no double precision")
    let gap = Self.exactValue(Self.softmax, model.theta) - Self.softmaxReference.value
    let bound = config.tolerance * config.tolerance / (2 * Self.l2)
    #expect(gap >= -1e-12 && gap <= bound, "L − L* = \(gap), bound \(bound)")
  }

  /// Both solvers converge to the default tolerance (‖∇L‖₂ ≤ 10⁻⁶) of logistic regression
  /// within their bounds — Newton 15 iterations, L-BFGS 400 — and land within
  /// tol²/(2λ) = 5·10⁻¹⁰ of the reference objective.
  @Test(arguments: [(ConvexSolver.newton, 15), (.lbfgs, 400)])
  func logisticReachesTheReferenceOptimum(solver: ConvexSolver, bound: Int) throws {
    var config = LogisticRegressionConfig()
    config.l2 = Self.l2
    config.solver = solver
    let model = try LogisticRegression.fit(Self.shirts, config: config)
    let report = try #require(model.solverReport)
    #expect(report.solver == (solver == .newton ? "newton" : "lbfgs"))
    #expect(report.converged && report.stop == .converged, "\(report)")
    #expect(report.iterations <= bound, "\(report)")
    let gap = Self.exactValue(Self.logistic, model.theta) - Self.logisticReference.value
    let gapBound = config.tolerance * config.tolerance / (2 * Self.l2)
    #expect(gap >= -1e-12 && gap <= gapBound, "L − L* = \(gap), bound \(gapBound)")
  }

  /// A tolerance between the two floors: single-precision products cannot resolve
  /// ‖∇L‖₂ ≤ 10⁻¹⁰ (their rounding leaves ~10⁻⁷ on this data), so the solve continues in
  /// double precision and converges there, within a few iterations more than the default
  /// tolerance takes.
  @Test(arguments: [(ConvexSolver.newton, 20), (.lbfgs, 800)])
  func toleranceBelowTheSingleFloorIsReachedInDoublePrecision(solver: ConvexSolver, bound: Int)
    throws
  {
    var config = LogisticRegressionConfig()
    config.l2 = Self.l2
    config.solver = solver
    config.tolerance = 1e-10
    config.maxIterations = 5_000
    let model = try LogisticRegression.fit(Self.shirts, config: config)
    let report = try #require(model.solverReport)
    #expect(report.converged && report.stop == .converged, "\(report)")
    #expect(report.precision == .double, "\(report)")
    #expect(report.floor == nil)
    #expect(report.iterations <= bound, "\(report)")
    let gap = Self.exactValue(Self.logistic, model.theta) - Self.logisticReference.value
    #expect(abs(gap) <= 1e-12, "L − L* = \(gap)")
  }

  /// A tolerance far below what even double precision resolves: the solver stops at the
  /// floor — `converged == false`, `stop == .stagnated`, the floor reported and below
  /// 10⁻¹³ — in far fewer iterations than the cap of 5 000, at the reference optimum.
  @Test(arguments: [(ConvexSolver.newton, 30), (.lbfgs, 2_000)])
  func toleranceBelowTheDoubleFloorStopsThere(solver: ConvexSolver, bound: Int) throws {
    var config = LogisticRegressionConfig()
    config.l2 = Self.l2
    config.solver = solver
    config.tolerance = 1e-30
    config.maxIterations = 5_000
    let model = try LogisticRegression.fit(Self.shirts, config: config)
    let report = try #require(model.solverReport)
    #expect(!report.converged && report.stop == .stagnated, "\(report)")
    #expect(report.precision == .double, "\(report)")
    let floor = try #require(report.floor)
    #expect(floor == report.gradientNorm && floor > 0 && floor <= 1e-13, "\(report)")
    #expect(report.iterations <= bound, "\(report)")
    let gap = Self.exactValue(Self.logistic, model.theta) - Self.logisticReference.value
    #expect(abs(gap) <= 1e-12, "L − L* = \(gap)")
  }

  /// Softmax regression by Newton (p = 124 on separable-ish synthetic data) stops at the floor
  /// of double precision within 30 iterations when asked for 10⁻³⁰.
  @Test func softmaxNewtonStopsAtTheDoubleFloor() throws {
    let data = try DatasetCatalog.load("synthetic:n=3000,d=30,classes=4,seed=3")
    var config = SoftmaxRegressionConfig()
    config.l2 = 1e-4
    config.solver = .newton
    config.tolerance = 1e-30
    config.maxIterations = 5_000
    let model = try SoftmaxRegression.fit(data, config: config)
    let report = try #require(model.solverReport)
    #expect(!report.converged && report.stop == .stagnated, "\(report)")
    #expect(report.precision == .double && report.iterations <= 30, "\(report)")
    #expect(try #require(report.floor) <= 1e-13, "\(report)")
  }

  /// Both precisions give the same bits whatever the thread count: chunks fixed by the shape
  /// (2 000 rows make 3 softmax chunks, 6 000 rows 4 logistic ones), partials added in chunk
  /// order.
  @Test func evaluationsDoNotDependOnTheThreadCount() throws {
    let threads = Threads.count
    defer { Threads.set(threads) }
    let logistic = LogisticObjective(data: Self.upperHalf, l2: Self.l2, fitIntercept: true)
    var rng = SeededGenerator(seed: 4)
    func bits(_ objective: any ConvexObjective) -> [UInt64] {
      let theta = (0..<objective.parameterCount).map { _ in 0.01 * rng.nextNormal() }
      var results: [[UInt64]] = []
      for n in [1, 2, 3] {
        Threads.set(n)
        let (value, gradient) = objective.valueAndGradient(theta, rowWeights: nil)
        results.append(([value] + gradient).map(\.bitPattern))
      }
      #expect(results.allSatisfy { $0 == results[0] }, "\(objective.precision)")
      return results[0]
    }
    for precision in ProductPrecision.allCases {
      _ = bits(try #require(Self.softmax.withPrecision(precision)))
      _ = bits(try #require(logistic.withPrecision(precision)))
    }
  }
}

/// `SolverReport` decodes reports written before it said why the solver stopped.
@Suite("Solver report")
struct SolverReportTests {
  @Test func oldReportsDecodeWithTheirStopReadFromConverged() throws {
    for converged in [true, false] {
      let json = """
        {"solver": "lbfgs", "iterations": 12, "evaluations": 14, "objective": 0.5,
         "gradientNorm": 1e-6, "converged": \(converged), "seconds": 0.25}
        """
      let report = try JSONDecoder().decode(SolverReport.self, from: Data(json.utf8))
      #expect(report.stop == (converged ? .converged : .iterationLimit))
      #expect(report.precision == .single && report.floor == nil)
      #expect(report.iterations == 12 && report.gradientNorm == 1e-6)
    }
  }

  @Test func newReportsRoundTrip() throws {
    let report = SolverReport(
      solver: "newton", iterations: 18, evaluations: 21, objective: 0.0139,
      gradientNorm: 2.4e-16, converged: false, seconds: 1.5, stop: .stagnated, floor: 2.4e-16,
      precision: .double)
    let data = try JSONEncoder().encode(report)
    #expect(try JSONDecoder().decode(SolverReport.self, from: data) == report)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"stop\":\"stagnated\"") && text.contains("\"precision\":\"double\""))
  }
}
