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

  /// Runs the configured solver on `objective` from `start` (θ = 0 by default).
  static func solve(
    _ objective: any ConvexObjective, solver: ConvexSolver, tolerance: Double,
    gradientNorm: GradientNorm, maxIterations: Int, start: [Double]? = nil,
    observer: TrainingObserver?
  ) throws -> (theta: [Double], report: SolverReport) {
    let p = objective.parameterCount
    let useNewton = solver == .newton || (solver == .auto && p <= 2_000)
    let report: (Int, Double, Double) -> Void = { iteration, value, gNorm in
      observer?(
        TrainingProgress(
          unit: "iteration", completed: iteration, total: maxIterations, loss: value,
          gradientNorm: gNorm))
    }
    let start = start ?? [Double](repeating: 0, count: p)
    precondition(start.count == p, "solve: start has \(start.count) values, expected \(p)")
    if useNewton {
      return try NewtonSolver(
        tolerance: tolerance, gradientNorm: gradientNorm, maxIterations: maxIterations
      )
      .minimize(objective, from: start, observer: report)
    }
    let lbfgs = LBFGS(
      tolerance: tolerance, gradientNorm: gradientNorm, maxIterations: maxIterations)
    return try lbfgs.minimize(
      start, preconditioner: objective.inverseHessianApproximation(start, rowWeights: nil),
      observer: report
    ) {
      objective.valueAndGradient($0, rowWeights: nil)
    }
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
