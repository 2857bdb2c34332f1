import ExpungeCore
import ExpungeData

/// L2-regularized multinomial (softmax) regression (see `SoftmaxRegressionConfig`), trained
/// to ‖∇L‖ ≤ tolerance (in `toleranceNorm`) by Newton (p ≤ 2 000 parameters) or L-BFGS.
///
/// Parameters: `bias` [K] (when fitted) and `weight` [K, d].
public struct SoftmaxRegression: ConvexClassifier {
  public let config: SoftmaxRegressionConfig
  public let featureCount: Int
  public let classCount: Int
  public let parameters: ParameterBuffer
  public let solverReport: SolverReport?

  public var configuration: ModelConfiguration { ModelConfiguration(config) }

  static func layout(d: Int, k: Int, fitIntercept: Bool) -> [(name: String, shape: [Int])] {
    (fitIntercept ? [(name: "bias", shape: [k])] : []) + [(name: "weight", shape: [k, d])]
  }

  public init(
    configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    parameters: ParameterBuffer
  )
    throws
  {
    guard let config = configuration.as(SoftmaxRegressionConfig.self) else {
      throw ModelError.invalidTrainingData(
        model: "SoftmaxRegression", reason: "configuration is not a softmax model")
    }
    try ConvexTraining.checkLayout(
      parameters, Self.layout(d: featureCount, k: classCount, fitIntercept: config.fitIntercept))
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.parameters = parameters
    self.solverReport = nil
  }

  init(
    config: SoftmaxRegressionConfig, featureCount: Int, classCount: Int, theta: [Double],
    report: SolverReport?
  ) {
    var buffer = ParameterBuffer(
      layout: Self.layout(d: featureCount, k: classCount, fitIntercept: config.fitIntercept))
    buffer.values = theta.map { Float($0) }
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.parameters = buffer
    self.solverReport = report
  }

  /// Fits on `data` (K = `data.classCount` ≥ 2) from θ = 0, or from `start` (θ in the
  /// objective's layout: a warm start, as SISA's slices continue the previous slice's model).
  public static func fit(
    _ data: Dataset, config: SoftmaxRegressionConfig = .init(), start: [Double]? = nil,
    observer: TrainingObserver? = nil
  ) throws -> SoftmaxRegression {
    try ConvexTraining.validate(
      data, model: "SoftmaxRegression", l2: config.l2, tolerance: config.tolerance,
      maxIterations: config.maxIterations)
    guard data.classCount >= 2 else {
      throw ModelError.invalidTrainingData(
        model: "SoftmaxRegression",
        reason: "needs at least 2 classes, the data has \(data.classCount)")
    }
    let objective = SoftmaxObjective(
      data: data, classCount: data.classCount, l2: config.l2, fitIntercept: config.fitIntercept)
    let (theta, report) = try ConvexTraining.solve(
      objective, solver: config.solver, tolerance: config.tolerance,
      gradientNorm: config.toleranceNorm,
      maxIterations: config.maxIterations, start: start,
      observer: observer)
    return SoftmaxRegression(
      config: config, featureCount: data.featureCount, classCount: data.classCount, theta: theta,
      report: report)
  }

  /// θ as doubles, in the objective's layout.
  public var theta: [Double] { parameters.values.map { Double($0) } }

  /// The training objective on `data`.
  public func objective(on data: Dataset) -> SoftmaxObjective {
    SoftmaxObjective(
      data: data, classCount: classCount, l2: config.l2, fitIntercept: config.fitIntercept)
  }

  private func probe(_ x: Matrix, _ labels: [Int32]? = nil) -> Dataset {
    Dataset(
      ids: (0..<x.rows).map { SampleID(UInt64($0)) }, features: x,
      labels: labels ?? [Int32](repeating: 0, count: x.rows), classCount: classCount)
  }

  public func predictProbabilities(_ x: Matrix) -> Matrix {
    precondition(
      x.cols == featureCount,
      "X has \(x.cols) features, but SoftmaxRegression is expecting \(featureCount)")
    return Softmax.rows(objective(on: probe(x)).scores(theta))
  }

  public func meanLoss(_ x: Matrix, labels: [Int32]) -> Double {
    let losses = objective(on: probe(x, labels)).perSampleLosses(theta)
    return losses.reduce(0, +) / Double(max(losses.count, 1))
  }
}
