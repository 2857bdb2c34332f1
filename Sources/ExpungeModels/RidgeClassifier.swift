import ExpungeCore
import ExpungeData
import Foundation

/// Ridge regression on one-hot targets, used as a classifier (predict the arg max of the K
/// outputs), solved in closed form:
///
///     minimize (1/2n) Σᵢ ‖W xᵢ + b − eᵧᵢ‖² + (λ/2)‖W‖²_F
///     ⇒ (X̄ᵀX̄/n + λI) Wᵀ = X̄ᵀȲ/n,   b = ȳ − W x̄
///
/// with X̄, Ȳ the centred features and one-hot labels (x̄, ȳ their means). The d × d system
/// is formed (as `(X̄ᵀX̄ + nλI) Wᵀ = X̄ᵀȲ`) and factored by Cholesky in double precision
/// (λ > 0 makes it positive definite) by `RidgeState`, which can also remove training rows
/// exactly, in O(d²) each, without a refit. `predictProbabilities` returns the raw scores
/// W x + b, which need not lie in [0, 1]; `meanLoss` is half the mean squared error against
/// the one-hot labels.
/// - Complexity: O(n·d² + d³).
public struct RidgeClassifier: ConvexClassifier {
  public let config: RidgeConfig
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
    guard let config = configuration.as(RidgeConfig.self) else {
      throw ModelError.invalidTrainingData(
        model: "RidgeClassifier", reason: "configuration is not a ridge model")
    }
    try ConvexTraining.checkLayout(
      parameters, Self.layout(d: featureCount, k: classCount, fitIntercept: config.fitIntercept))
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.parameters = parameters
    self.solverReport = nil
  }

  /// Fits by `RidgeState(fitting:config:)` then `solve()`: one Cholesky solve in double
  /// precision. The solver report's objective is `meanLoss` on `data`.
  public static func fit(
    _ data: Dataset, config: RidgeConfig = .init(), observer: TrainingObserver? = nil
  ) throws -> RidgeClassifier {
    let clock = Date()
    let solution = try RidgeState(fitting: data, config: config).solve()
    var report = solution.report
    report.seconds = Date().timeIntervalSince(clock)
    let (d, k) = (data.featureCount, data.classCount)
    let unreported = RidgeClassifier(
      config: config, featureCount: d, classCount: k, solution: solution)
    report.objective = unreported.meanLoss(data.features, labels: data.labels)
    observer?(TrainingProgress(unit: "solve", completed: 1, total: 1, loss: report.objective))
    return RidgeClassifier(
      config: config, featureCount: d, classCount: k, parameters: unreported.parameters,
      report: report)
  }

  /// The model of a solved `RidgeState`, parameters rounded to Float.
  init(config: RidgeConfig, featureCount d: Int, classCount k: Int, solution: RidgeState.Solution) {
    var buffer = ParameterBuffer(layout: Self.layout(d: d, k: k, fitIntercept: config.fitIntercept))
    buffer["weight"] = solution.weight.map { Float($0) }
    if config.fitIntercept { buffer["bias"] = solution.bias.map { Float($0) } }
    self.init(
      config: config, featureCount: d, classCount: k, parameters: buffer,
      report: solution.report)
  }

  private init(
    config: RidgeConfig, featureCount: Int, classCount: Int, parameters: ParameterBuffer,
    report: SolverReport?
  ) {
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.parameters = parameters
    self.solverReport = report
  }

  public func predictProbabilities(_ x: Matrix) -> Matrix {
    precondition(
      x.cols == featureCount,
      "X has \(x.cols) features, but RidgeClassifier is expecting \(featureCount)")
    var scores = BLAS.matmul(x, parameters.matrix("weight"), transB: .transpose)
    if config.fitIntercept { scores.addToEachRow(parameters["bias"]) }
    return scores
  }

  public func meanLoss(_ x: Matrix, labels: [Int32]) -> Double {
    let scores = predictProbabilities(x)
    var total = 0.0
    for i in 0..<x.rows {
      for c in 0..<classCount {
        let e = Double(scores[i, c]) - (Int(labels[i]) == c ? 1 : 0)
        total += e * e
      }
    }
    return 0.5 * total / Double(max(x.rows, 1))
  }
}
