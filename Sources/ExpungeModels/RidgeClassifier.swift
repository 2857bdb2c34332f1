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
/// is formed and factored by Cholesky in double precision (λ > 0 makes it positive
/// definite). `predictProbabilities` returns the raw scores W x + b, which need not lie in
/// [0, 1]; `meanLoss` is half the mean squared error against the one-hot labels.
/// - Complexity: O(n·d² + d³).
public struct RidgeClassifier: ConvexClassifier {
  public let config: RidgeConfig
  public let featureCount: Int
  public let classCount: Int
  public let parameters: ParameterBuffer
  public let solverReport: SolverReport?

  public var kind: ModelKind { .ridge }
  public var configuration: ModelConfiguration { .ridge(config) }

  static func layout(d: Int, k: Int, fitIntercept: Bool) -> [(name: String, shape: [Int])] {
    (fitIntercept ? [(name: "bias", shape: [k])] : []) + [(name: "weight", shape: [k, d])]
  }

  public init(
    configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    parameters: ParameterBuffer
  )
    throws
  {
    guard case .ridge(let config) = configuration else {
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

  public static func fit(
    _ data: Dataset, config: RidgeConfig = .init(), observer: TrainingObserver? = nil
  ) throws -> RidgeClassifier {
    try ConvexTraining.validate(data, model: "RidgeClassifier", l2: config.l2)
    guard config.l2 > 0 else {
      throw ModelError.invalidHyperparameter(
        model: "RidgeClassifier", name: "l2", value: "\(config.l2)", expected: "a number > 0")
    }
    let clock = Date()
    let (n, d, k) = (data.count, data.featureCount, data.classCount)
    let x = data.features.storage
    var mean = [Double](repeating: 0, count: d)
    var classMean = [Double](repeating: 0, count: k)
    var classSums = [Double](repeating: 0, count: k * d)  // Σ_{i: yᵢ = c} xᵢ
    for i in 0..<n {
      let c = Int(data.labels[i])
      classMean[c] += 1
      for j in 0..<d {
        let v = Double(x[i * d + j])
        mean[j] += v
        classSums[c * d + j] += v
      }
    }
    let nd = Double(n)
    if config.fitIntercept {
      for j in 0..<d { mean[j] /= nd }
      for c in 0..<k { classMean[c] /= nd }
    } else {
      mean = [Double](repeating: 0, count: d)
      classMean = [Double](repeating: 0, count: k)
    }
    // G = X̄ᵀX̄/n + λI, chunk by chunk.
    var gram = [Double](repeating: 0, count: d * d)
    var chunk = [Double](repeating: 0, count: hessianChunkRows * d)
    for start in stride(from: 0, to: n, by: hessianChunkRows) {
      let rows = min(hessianChunkRows, n - start)
      for r in 0..<rows {
        for j in 0..<d { chunk[r * d + j] = Double(x[(start + r) * d + j]) - mean[j] }
      }
      chunk.withUnsafeBufferPointer { a in
        gram.withUnsafeMutableBufferPointer { g in
          BLAS.dsyrkFull(
            n: rows, d: d, alpha: 1 / nd, a: a.baseAddress!, beta: 1, c: g.baseAddress!)
        }
      }
    }
    for j in 0..<d { gram[j * d + j] += config.l2 }
    // B = X̄ᵀȲ/n (d × K): Σᵢ (xᵢ − x̄)(eᵧᵢ − ȳ)ᵀ/n = classSums/n − x̄ȳᵀ (since Σ(xᵢ − x̄) = 0).
    var rhs = [Double](repeating: 0, count: d * k)
    for j in 0..<d {
      for c in 0..<k { rhs[j * k + c] = classSums[c * d + j] / nd - mean[j] * classMean[c] }
    }
    try LAPACK.choleskyFactor(&gram, n: d)
    LAPACK.choleskySolve(factor: gram, n: d, &rhs, nrhs: k)  // rhs ← Wᵀ (d × K)
    var buffer = ParameterBuffer(layout: Self.layout(d: d, k: k, fitIntercept: config.fitIntercept))
    var weight = [Float](repeating: 0, count: k * d)
    for c in 0..<k { for j in 0..<d { weight[c * d + j] = Float(rhs[j * k + c]) } }
    buffer["weight"] = weight
    if config.fitIntercept {
      buffer["bias"] = (0..<k).map { c in
        var b = classMean[c]
        for j in 0..<d { b -= rhs[j * k + c] * mean[j] }
        return Float(b)
      }
    }
    let seconds = Date().timeIntervalSince(clock)
    var model = RidgeClassifier(
      config: config, featureCount: d, classCount: k, parameters: buffer, report: nil)
    let loss = model.meanLoss(data.features, labels: data.labels)
    model = RidgeClassifier(
      config: config, featureCount: d, classCount: k, parameters: buffer,
      report: SolverReport(
        solver: "closed-form", iterations: 0, evaluations: 0, objective: loss, gradientNorm: 0,
        converged: true,
        seconds: seconds))
    observer?(TrainingProgress(unit: "solve", completed: 1, total: 1, loss: loss))
    return model
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
