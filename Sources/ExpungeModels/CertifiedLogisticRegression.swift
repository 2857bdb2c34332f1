import ExpungeCore
import ExpungeData
import Foundation

/// Logistic regression trained with a random linear term so rows can later be removed with
/// a certificate (see `CertifiedLogisticConfig` for the objective, and ExpungeUnlearning's
/// `CertifiedRemoval` for removal). Binary for two classes (one weight vector); one-vs-rest
/// for K > 2 (K vectors, each class against the rest).
///
/// Inputs are scaled to unit length, x̂ = x/‖x‖ (a zero row stays zero), inside the model —
/// at training and prediction alike — because the removal bound needs ‖x̂‖ ≤ 1. Parameters:
/// `weight` [m, d]. `predictProbabilities` returns [1 − σ(z), σ(z)] for the binary model and
/// the m sigmoids normalized to sum 1 for one-vs-rest.
public struct CertifiedLogisticRegression: ParametricClassifier {
  public let config: CertifiedLogisticConfig
  public let featureCount: Int
  public let classCount: Int
  /// The weights' Float rounding (for code that reads every model alike); the weights
  /// themselves are kept, saved and loaded in double precision (`flatWeights`): rounding them
  /// to Float after each removal would move the gradient by ‖H‖‖e‖ — at n = 12 000 about half
  /// of what the removals spent of the budget.
  public let parameters: ParameterBuffer
  /// [m, d] row-major, in double precision.
  public let flatWeights: [Double]
  /// How training ended (one solve for all m models; objective and ‖∇L‖₂ of the summed
  /// objective), when freshly fitted; nil for a model built from weights.
  public let solverReport: SolverReport?

  public var configuration: ModelConfiguration { ModelConfiguration(config) }
  /// m: 1 for a binary model, K for one-vs-rest.
  public var modelCount: Int { Self.modelCount(classes: classCount) }

  static func modelCount(classes: Int) -> Int { classes == 2 ? 1 : classes }

  static func layout(d: Int, m: Int) -> [(name: String, shape: [Int])] {
    [(name: "weight", shape: [m, d])]
  }

  public init(
    configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    parameters: ParameterBuffer
  ) throws {
    guard let config = configuration.as(CertifiedLogisticConfig.self), classCount >= 2 else {
      throw ModelError.invalidTrainingData(
        model: "CertifiedLogisticRegression", reason: "configuration is not a certified model")
    }
    try ConvexTraining.checkLayout(
      parameters, Self.layout(d: featureCount, m: Self.modelCount(classes: classCount)))
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.parameters = parameters
    flatWeights = parameters.values.map(Double.init)
    solverReport = nil
  }

  /// A model with the given weights, [m, d] row-major in double precision (as saved).
  public init(
    config: CertifiedLogisticConfig, featureCount: Int, classCount: Int, flatWeights: [Double]
  ) throws {
    let m = Self.modelCount(classes: classCount)
    guard flatWeights.count == m * featureCount else {
      throw ModelError.layoutMismatch(
        name: "weight", expectedShape: [m, featureCount], actualShape: [flatWeights.count])
    }
    self.init(
      config: config, featureCount: featureCount, classCount: classCount,
      weights: (0..<m).map { Array(flatWeights[($0 * featureCount)..<(($0 + 1) * featureCount)]) })
  }

  /// The weights are saved in double precision too, so a reloaded model removes rows from
  /// exactly the weights it was trained to (`parameters` holds their Float rounding).
  public var tensors: ModelTensors {
    ModelTensors(parameters: parameters, doubles: ["weight": flatWeights])
  }

  /// A model with the given weights (one vector per binary model), e.g. after a removal.
  public init(
    config: CertifiedLogisticConfig, featureCount: Int, classCount: Int, weights: [[Double]],
    solverReport: SolverReport? = nil
  ) {
    precondition(weights.count == Self.modelCount(classes: classCount), "one vector per model")
    var buffer = ParameterBuffer(
      layout: Self.layout(d: featureCount, m: Self.modelCount(classes: classCount)))
    flatWeights = weights.flatMap { $0 }
    buffer.values = flatWeights.map { Float($0) }
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.parameters = buffer
    self.solverReport = solverReport
  }

  /// Binary model k's weights, in Double.
  public func weights(_ k: Int) -> [Double] {
    let d = featureCount
    return Array(flatWeights[(k * d)..<((k + 1) * d)])
  }

  /// Trains every binary model to the minimizer of its perturbed objective, stopping when
  /// √(Σₖ ‖∇Lₖ‖₂²) ≤ `config.tolerance` (so each ‖∇Lₖ‖₂ is within it), gradients exact in
  /// double precision. Fixes Λ = λ·n on the first training (recorded in the returned model's
  /// configuration).
  ///
  /// The m models are solved as one separable objective (`PerturbedLogisticObjective`) by
  /// L-BFGS preconditioned with the Hessian at W = 0, so one pass over the rows evaluates
  /// every model. Newton's method would build an n·d² Hessian per model per iteration; near
  /// the optimum L-BFGS's steps approach Newton's, so a tight tolerance adds few passes. The
  /// Hessian a removal needs is built by `CertifiedRemoval`, at the weights it removes from.
  /// - Complexity: per iteration one pass, 4·n·d·m flops; once, 2·s·d² + d³/3 for the
  ///   preconditioner (s = min(n, 1024)).
  /// - Throws: `ModelError` for bad hyperparameters or data.
  public static func fit(
    _ data: Dataset, config: CertifiedLogisticConfig, observer: TrainingObserver? = nil
  ) throws -> CertifiedLogisticRegression {
    try validate(config)
    try ConvexTraining.validate(
      data, model: "CertifiedLogisticRegression", l2: config.l2, tolerance: config.tolerance,
      maxIterations: config.maxIterations)
    var config = config
    let total = config.totalPenalty ?? config.l2 * Double(data.count)
    config.totalPenalty = total
    let m = modelCount(classes: data.classCount)
    let (n, d) = (Double(data.count), data.featureCount)
    let objective = PerturbedLogisticObjective(
      data: normalizedRows(data), totalPenalty: total,
      perturbations: (0..<m).map { perturbation(config, model: $0, featureCount: d) })
    // The solver works on L/n, whose gradient is n times smaller than the certificate's.
    let solver = LBFGS(
      tolerance: config.tolerance / n, gradientNorm: .l2, maxIterations: config.maxIterations)
    let maxIterations = config.maxIterations
    let (theta, solved) = try solver.minimize(
      [Double](repeating: 0, count: m * d), preconditioner: try objective.preconditioner(),
      observer: { iteration, value, gradientNorm in
        observer?(
          TrainingProgress(
            unit: "iteration", completed: iteration, total: maxIterations, loss: value,
            gradientNorm: gradientNorm, totalIsCap: true))
      }
    ) { weights in
      let (values, gradient) = objective.valuesAndGradient(weights)
      return (values.reduce(0, +) / n, gradient.map { $0 / n })
    }
    var report = solved
    report.objective *= n
    report.gradientNorm *= n
    return CertifiedLogisticRegression(
      config: config, featureCount: d, classCount: data.classCount,
      weights: (0..<m).map { Array(theta[($0 * d)..<(($0 + 1) * d)]) }, solverReport: report)
  }

  static func validate(_ c: CertifiedLogisticConfig) throws {
    func bad(_ name: String, _ value: Double, _ expected: String) -> ModelError {
      .invalidHyperparameter(
        model: "CertifiedLogisticRegression", name: name, value: String(value), expected: expected)
    }
    guard c.l2 > 0 else { throw bad("l2", c.l2, "a number > 0") }
    guard c.epsilon > 0 else { throw bad("epsilon", c.epsilon, "a number > 0") }
    guard c.delta > 0 && c.delta < 1 else { throw bad("delta", c.delta, "a number in (0, 1)") }
    guard c.sigma > 0 else { throw bad("sigma", c.sigma, "a number > 0") }
  }

  /// b for binary model k: N(0, σ²I) from the perturbation seed's stream for k.
  public static func perturbation(_ c: CertifiedLogisticConfig, model k: Int, featureCount: Int)
    -> [Double]
  {
    var rng = SeededGenerator(seed: c.perturbationSeed).derived("certified-perturbation")
      .derived(UInt64(k))
    return (0..<featureCount).map { _ in rng.nextNormal() * c.sigma }
  }

  /// The gradient residual each binary model may accumulate, ε′ = σ ε_m / c with
  /// c = √(2 log(1.5/δ_m)) (Guo et al., Theorem 3) and ε_m = ε/m, δ_m = δ/m.
  public static func residualBudget(_ c: CertifiedLogisticConfig, models m: Int) -> Double {
    let (epsilon, delta) = (c.epsilon / Double(m), c.delta / Double(m))
    return c.sigma * epsilon / (2 * log(1.5 / delta)).squareRoot()
  }

  /// The rows scaled to unit length (zero rows stay zero).
  /// - Complexity: 3·n·d flops in one pass, split over row chunks (each row on its own, so
  ///   the same bits on any thread count).
  public static func normalizedRows(_ x: Matrix) -> Matrix {
    let d = x.cols
    guard x.rows > 0, d > 0 else { return x }
    return x.storage.withUnsafeBufferPointer { source in
      let input = SendablePointer(UnsafeMutablePointer(mutating: source.baseAddress!))
      return Matrix(rows: x.rows, cols: d) { out in
        let output = SendablePointer(out.baseAddress!)
        parallelFor(x.rows, minimumChunk: 1024) { rows in
          for i in rows {
            var norm = 0.0
            for j in 0..<d { norm += Double(input[i * d + j]) * Double(input[i * d + j]) }
            let scale = Float(1 / norm.squareRoot())
            for j in 0..<d {
              output[i * d + j] = norm > 0 ? input[i * d + j] * scale : input[i * d + j]
            }
          }
        }
      }
    }
  }

  public static func normalizedRows(_ data: Dataset) -> Dataset {
    var out = data
    out.features = normalizedRows(data.features)
    return out
  }

  /// Binary model k's task: labels 0/1 (the data's own for a binary model; class k against
  /// the rest for one-vs-rest).
  public static func binaryTask(_ data: Dataset, model k: Int) -> Dataset {
    var out = data
    if data.classCount > 2 { out.labels = data.labels.map { $0 == k ? 1 : 0 } }
    out.classCount = 2
    return out
  }

  public func predictProbabilities(_ x: Matrix) -> Matrix {
    precondition(
      x.cols == featureCount,
      "X has \(x.cols) features, but CertifiedLogisticRegression is expecting \(featureCount)")
    let rows = Self.normalizedRows(x)
    let m = modelCount
    var w = Matrix(rows: m, cols: featureCount, storage: parameters.values)
    w = w.transposed()
    let z = BLAS.matmul(rows, w)  // n × m
    var out = Matrix.zeros(x.rows, classCount)
    for i in 0..<x.rows {
      if m == 1 {
        let p = sigmoid(Double(z[i, 0]))
        out[i, 0] = Float(1 - p)
        out[i, 1] = Float(p)
      } else {
        let s = (0..<m).map { sigmoid(Double(z[i, $0])) }
        let total = max(s.reduce(0, +), 1e-300)
        for c in 0..<m { out[i, c] = Float(s[c] / total) }
      }
    }
    return out
  }

  public func meanLoss(_ x: Matrix, labels: [Int32]) -> Double {
    let p = predictProbabilities(x)
    var total = 0.0
    for i in 0..<x.rows { total -= log(max(Double(p[i, Int(labels[i])]), 1e-30)) }
    return total / Double(max(x.rows, 1))
  }
}
