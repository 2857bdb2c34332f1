import ExpungeCore
import ExpungeData

/// L2-regularized binary logistic regression (see `LogisticRegressionConfig` for the
/// objective), trained to ‖∇L‖ ≤ tolerance (in `toleranceNorm`) by Newton or L-BFGS.
///
/// Parameters: `bias` [1] (when fitted) and `weight` [1, d]. `predictProbabilities` returns
/// n × 2: [1 − σ(z), σ(z)].
public struct LogisticRegression: ConvexClassifier {
  public let config: LogisticRegressionConfig
  public let featureCount: Int
  public var classCount: Int { 2 }
  public let parameters: ParameterBuffer
  public let solverReport: SolverReport?

  public var configuration: ModelConfiguration { ModelConfiguration(config) }

  static func layout(d: Int, fitIntercept: Bool) -> [(name: String, shape: [Int])] {
    (fitIntercept ? [(name: "bias", shape: [1])] : []) + [(name: "weight", shape: [1, d])]
  }

  public init(
    configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    parameters: ParameterBuffer
  )
    throws
  {
    guard let config = configuration.as(LogisticRegressionConfig.self), classCount == 2 else {
      throw ModelError.invalidTrainingData(
        model: "LogisticRegression", reason: "configuration is not a binary logistic model")
    }
    try ConvexTraining.checkLayout(
      parameters, Self.layout(d: featureCount, fitIntercept: config.fitIntercept))
    self.config = config
    self.featureCount = featureCount
    self.parameters = parameters
    self.solverReport = nil
  }

  init(config: LogisticRegressionConfig, featureCount: Int, theta: [Double], report: SolverReport?)
  {
    var buffer = ParameterBuffer(
      layout: Self.layout(d: featureCount, fitIntercept: config.fitIntercept))
    buffer.values = theta.map { Float($0) }
    self.config = config
    self.featureCount = featureCount
    self.parameters = buffer
    self.solverReport = report
  }

  /// Fits on `data`, whose labels must be 0 and 1, from θ = 0 or from `start` (a warm start).
  /// - Throws: `ModelError` for bad hyperparameters or data (more than two classes: select two
  ///   with `Dataset.selectingClasses`, `--classes` on the command line).
  public static func fit(
    _ data: Dataset, config: LogisticRegressionConfig = .init(), start: [Double]? = nil,
    observer: TrainingObserver? = nil
  ) throws -> LogisticRegression {
    try ConvexTraining.validate(
      data, model: "LogisticRegression", l2: config.l2, tolerance: config.tolerance,
      maxIterations: config.maxIterations)
    guard data.classCount == 2 else {
      throw ModelError.needsTwoClasses(model: "LogisticRegression", found: data.classCount)
    }
    let objective = LogisticObjective(data: data, l2: config.l2, fitIntercept: config.fitIntercept)
    let (theta, report) = try ConvexTraining.solve(
      objective, solver: config.solver, tolerance: config.tolerance,
      gradientNorm: config.toleranceNorm,
      maxIterations: config.maxIterations, start: start,
      observer: observer)
    return LogisticRegression(
      config: config, featureCount: data.featureCount, theta: theta, report: report)
  }

  /// θ as doubles, in the objective's layout.
  public var theta: [Double] { parameters.values.map { Double($0) } }

  /// The training objective on `data` (for certified removal and influence functions).
  public func objective(on data: Dataset) -> LogisticObjective {
    LogisticObjective(data: data, l2: config.l2, fitIntercept: config.fitIntercept)
  }

  public func predictProbabilities(_ x: Matrix) -> Matrix {
    precondition(
      x.cols == featureCount,
      "X has \(x.cols) features, but LogisticRegression is expecting \(featureCount)")
    let probe = Dataset(
      ids: (0..<x.rows).map { SampleID(UInt64($0)) }, features: x,
      labels: [Int32](repeating: 0, count: x.rows),
      classCount: 2)
    let z = objective(on: probe).logits(theta)
    var out = Matrix.zeros(x.rows, 2)
    for i in 0..<x.rows {
      let p = sigmoid(z[i])
      out[i, 0] = Float(1 - p)
      out[i, 1] = Float(p)
    }
    return out
  }

  public func meanLoss(_ x: Matrix, labels: [Int32]) -> Double {
    let data = Dataset(
      ids: (0..<x.rows).map { SampleID(UInt64($0)) }, features: x, labels: labels, classCount: 2)
    let losses = objective(on: data).perSampleLosses(theta)
    return losses.reduce(0, +) / Double(max(losses.count, 1))
  }
}
