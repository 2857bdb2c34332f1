import ExpungeCore
import ExpungeData
import Foundation

/// Checks shared by the convex models' `fit`.
enum ConvexTraining {
  static func validate(
    _ data: Dataset, model: String, l2: Double, tolerance: Double = 1, maxIterations: Int = 1
  ) throws {
    guard l2 >= 0, l2.isFinite else {
      throw ModelError.invalidHyperparameter(
        model: model, name: "l2", value: "\(l2)", expected: "a finite number ≥ 0")
    }
    guard tolerance > 0, tolerance.isFinite else {
      throw ModelError.invalidHyperparameter(
        model: model, name: "tolerance", value: "\(tolerance)", expected: "a number > 0")
    }
    guard maxIterations >= 1 else {
      throw ModelError.invalidHyperparameter(
        model: model, name: "maxIterations", value: "\(maxIterations)", expected: "≥ 1")
    }
    guard !data.isEmpty else {
      throw ModelError.invalidTrainingData(
        model: model, reason: "the training data from \(data.source) has 0 rows")
    }
    if let bad = data.labels.first(where: { $0 < 0 || Int($0) >= data.classCount }) {
      throw ModelError.invalidTrainingData(
        model: model, reason: "label \(bad) is outside 0..<\(data.classCount)")
    }
    if let i = data.features.storage.firstIndex(where: { !$0.isFinite }) {
      throw ModelError.invalidTrainingData(
        model: model,
        reason:
          "row with id \(data.ids[i / data.featureCount]) has a non-finite value in column \(i % data.featureCount + 1)"
      )
    }
  }

  /// Runs the configured solver on `objective` from `start` (θ = 0 by default): Newton for
  /// `.newton`, or `.auto` with p ≤ 2 000 parameters; L-BFGS preconditioned by the objective's
  /// `inverseHessianApproximation` otherwise.
  ///
  /// The solve starts in the objective's own precision (single for the models' objectives:
  /// the fast path). Each time its `StagnationMonitor` finds ‖∇L‖ stalled above `tolerance`,
  /// the rounding error of the single-precision gradient is measured at the best iterate,
  ///
  ///     e = ‖∇L_single(θ) − ∇L_double(θ)‖,
  ///
  /// and the solver stops only if ‖∇L‖ ≤ 4e: it has reached what single precision resolves
  /// (otherwise it was merely slow, and goes on). The solve then continues from that iterate
  /// with `objective.withPrecision(.double)` and the iterations left, where the rounding
  /// error is taken as e·2⁻²⁹ (the ratio of the two unit roundoffs); if that stalls too, it
  /// stops with `stop == .stagnated` and the floor it reached. The report counts the
  /// iterations, evaluations and seconds of both phases.
  ///
  /// - Parameters:
  ///   - tolerance: stop at ‖∇L‖ ≤ tolerance in `gradientNorm` (> 0).
  ///   - maxIterations: the cap on the iterations of both phases together (≥ 1).
  /// - Complexity: per iteration, Newton one Hessian (O(n·p²)) and one factorization (p³/3);
  ///   L-BFGS one or a few evaluations (O(n·p)) and O(memory·p). A double-precision
  ///   evaluation costs about twice a single-precision one; each stall check costs one.
  static func solve(
    _ objective: any ConvexObjective, solver: ConvexSolver, tolerance: Double,
    gradientNorm: GradientNorm, maxIterations: Int, start: [Double]? = nil,
    observer: TrainingObserver?
  ) throws -> (theta: [Double], report: SolverReport) {
    let clock = Date()
    let p = objective.parameterCount
    let useNewton = solver == .newton || (solver == .auto && p <= 2_000)
    let start = start ?? [Double](repeating: 0, count: p)
    precondition(start.count == p, "solve: start has \(start.count) values, expected \(p)")
    func run(
      _ objective: any ConvexObjective, from start: [Double], iterationsBefore: Int,
      roundingError: (([Double], [Double]) -> Double)?
    ) throws -> (theta: [Double], report: SolverReport) {
      let report: (Int, Double, Double) -> Void = { iteration, value, gNorm in
        observer?(
          TrainingProgress(
            unit: "iteration", completed: iterationsBefore + iteration, total: maxIterations,
            loss: value, gradientNorm: gNorm, totalIsCap: true))
      }
      let budget = maxIterations - iterationsBefore
      var result: (theta: [Double], report: SolverReport)
      if useNewton {
        result = try NewtonSolver(
          tolerance: tolerance, gradientNorm: gradientNorm, maxIterations: budget
        )
        .minimize(objective, from: start, observer: report, roundingError: roundingError)
      } else {
        result = try LBFGS(
          tolerance: tolerance, gradientNorm: gradientNorm, maxIterations: budget
        )
        .minimize(
          start, preconditioner: objective.inverseHessianApproximation(start, rowWeights: nil),
          observer: report, roundingError: roundingError
        ) { objective.valueAndGradient($0, rowWeights: nil) }
      }
      result.report.precision = objective.precision
      return result
    }

    let precise = objective.precision == .single ? objective.withPrecision(.double) : nil
    var checks = 0  // double-precision evaluations spent measuring e
    /// e = ‖∇L_single(θ) − ∇L_double(θ)‖ for the single-precision gradient g at θ.
    func singleRounding(_ theta: [Double], _ g: [Double]) -> Double {
      checks += 1
      let exact = precise!.gradient(theta)
      return gradientNorm.of((0..<p).map { g[$0] - exact[$0] })
    }
    var (theta, report) = try run(
      objective, from: start, iterationsBefore: 0,
      roundingError: precise == nil ? nil : singleRounding)
    guard report.stop == .stagnated, report.iterations < maxIterations, let precise else {
      report.evaluations += checks
      report.seconds = Date().timeIntervalSince(clock)
      return (theta, report)
    }
    // e at the point the double-precision phase starts from, scaled to double's roundoff.
    let doubleFloor = singleRounding(theta, objective.gradient(theta)) * 0x1p-29
    var second: SolverReport
    (theta, second) = try run(
      precise, from: theta, iterationsBefore: report.iterations,
      roundingError: { _, _ in doubleFloor })
    second.iterations += report.iterations
    second.evaluations += report.evaluations + checks + 1
    second.seconds = Date().timeIntervalSince(clock)
    return (theta, second)
  }

  /// Checks that saved parameters have the views `layout` implies.
  static func checkLayout(_ parameters: ParameterBuffer, _ layout: [(name: String, shape: [Int])])
    throws
  {
    let expected = ParameterBuffer(layout: layout).views
    for view in expected {
      guard let actual = parameters.views.first(where: { $0.name == view.name }) else {
        throw ModelError.layoutMismatch(name: view.name, expectedShape: view.shape, actualShape: [])
      }
      guard actual.shape == view.shape else {
        throw ModelError.layoutMismatch(
          name: view.name, expectedShape: view.shape, actualShape: actual.shape)
      }
    }
    if let extra = parameters.views.first(where: { v in !expected.contains { $0.name == v.name } })
    {
      throw ModelError.layoutMismatch(name: extra.name, expectedShape: [], actualShape: extra.shape)
    }
  }
}
