import ExpungeCore
import ExpungeData

/// A multilayer perceptron classifier: fully connected layers with ReLU or tanh between
/// them and a softmax cross-entropy output.
///
///     h₀ = x,   h_{l+1} = f(h_l·W_lᵀ + b_l)   (l < L − 1),   logits = h_{L−1}·W_{L−1}ᵀ + b_{L−1}
///     ℓ(x, y) = −log softmax(logits)_y
///
/// All parameters live in one `ParameterBuffer` with views `layers.l.weight`
/// `[out, in]` and `layers.l.bias` `[out]`, `l = 0…L−1` (the last layer is the output layer).
/// Views are sorted by name, so `layers.10.*` comes before `layers.2.*`; every consumer goes
/// through the views' offsets.
///
/// Initialization (from `SeededGenerator(seed: config.seed).derived("init").derived(l)`, one
/// stream per layer, weights drawn row-major; biases 0):
///
///     hidden layers, ReLU:  W ~ U(−a, a),  a = √(6 / fan_in)             (He et al., 2015)
///     hidden layers, tanh:  W ~ U(−a, a),  a = √(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)
///     output layer:         W ~ U(−a, a),  a = √(6 / (fan_in + fan_out)) (Glorot; it is linear)
///
/// Training is minibatch Adam or SGD with momentum (`fit`, `train(on:epochs:…)`); the
/// per-row losses, the mean-loss gradient and exact Hessian-vector products over any rows
/// serve influence functions, Fisher forgetting and the other approximate unlearners.
public struct MLP: ParametricClassifier {
  /// The hyperparameters.
  public let config: MLPConfig
  /// Number of input features `d`.
  public let featureCount: Int
  /// Number of classes `K`.
  public let classCount: Int
  /// Every weight and bias, in one flat buffer with views `layers.l.weight`/`layers.l.bias`.
  public internal(set) var parameters: ParameterBuffer
  let geometry: MLPGeometry

  public var configuration: ModelConfiguration { ModelConfiguration(config) }
  /// `[d, h₁, …, K]`: the width of every layer boundary.
  public var layerWidths: [Int] { geometry.widths }

  /// A freshly initialized (untrained) network; see the type's documentation for the
  /// distributions.
  /// - Throws: `ModelError.invalidHyperparameter` for a bad configuration,
  ///   `ModelError.invalidTrainingData` for fewer than 1 feature or 2 classes.
  public init(config: MLPConfig, featureCount: Int, classCount: Int) throws {
    try Self.validate(config)
    try Self.validateShape(featureCount: featureCount, classCount: classCount)
    let widths = [featureCount] + config.hidden + [classCount]
    var buffer = ParameterBuffer(layout: MLPGeometry.layout(widths: widths))
    let root = SeededGenerator(seed: config.seed).derived("init")
    for l in 0..<(widths.count - 1) {
      let (fanIn, fanOut) = (widths[l], widths[l + 1])
      let isHidden = l < widths.count - 2
      let bound =
        isHidden && config.activation == .relu
        ? (6 / Double(fanIn)).squareRoot() : (6 / Double(fanIn + fanOut)).squareRoot()
      var rng = root.derived(UInt64(l))
      buffer[MLPGeometry.weightName(l)] = rng.uniforms(
        fanIn * fanOut, low: -Float(bound), high: Float(bound))
    }
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.geometry = MLPGeometry(widths: widths, activation: config.activation, buffer: buffer)
    self.parameters = buffer
  }

  /// Rebuilds a fitted network from its configuration and saved parameters.
  /// - Throws: `ModelError.layoutMismatch` when a tensor is missing or mis-shaped,
  ///   `ModelError.invalidHyperparameter` when `configuration` is not an MLP's.
  public init(
    configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    parameters: ParameterBuffer
  ) throws {
    guard let config = configuration.as(MLPConfig.self) else {
      throw ModelError.invalidHyperparameter(
        model: "MLP", name: "configuration", value: configuration.kind.rawValue,
        expected: "an mlp configuration")
    }
    try Self.validate(config)
    try Self.validateShape(featureCount: featureCount, classCount: classCount)
    let widths = [featureCount] + config.hidden + [classCount]
    let expected = MLPGeometry.layout(widths: widths).sorted { $0.name < $1.name }
    for entry in expected {
      guard let view = parameters.views.first(where: { $0.name == entry.name }) else {
        throw ModelError.layoutMismatch(
          name: entry.name, expectedShape: entry.shape, actualShape: [])
      }
      guard view.shape == entry.shape else {
        throw ModelError.layoutMismatch(
          name: entry.name, expectedShape: entry.shape, actualShape: view.shape)
      }
    }
    if let extra = parameters.views.first(where: { v in !expected.contains { $0.name == v.name } })
    {
      throw ModelError.layoutMismatch(name: extra.name, expectedShape: [], actualShape: extra.shape)
    }
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.geometry = MLPGeometry(widths: widths, activation: config.activation, buffer: parameters)
    self.parameters = parameters
  }

  /// The same network with every parameter replaced by `values` (same layout, same length).
  /// Unlearners that edit the flat vector (SSD, Fisher noise, NegGrad) return models this way.
  public func withParameterValues(_ values: [Float]) -> MLP {
    precondition(
      values.count == parameters.count,
      "MLP.withParameterValues: \(values.count) values, the network has \(parameters.count)")
    var copy = self
    copy.parameters.values = values
    return copy
  }

  /// Index ranges of the weight matrices (not the biases) in the flat buffer: where weight
  /// decay applies.
  public var weightRanges: [Range<Int>] { geometry.weightRanges }

  // MARK: Inference

  /// Class probabilities `(n, K)`, computed in chunks of 1 024 rows so memory stays
  /// O(1 024 · max width) besides the result.
  /// - Complexity: 2·n·Σ_l widths[l]·widths[l+1] flops.
  public func predictProbabilities(_ x: Matrix) -> Matrix {
    checkWidth(x)
    var out = Matrix(rows: x.rows, cols: classCount)
    let k = classCount
    forEachChunk(x) { workspace, xp, start, rows in
      out.storage.withUnsafeMutableBufferPointer { o in
        let dst = o.baseAddress! + start * k
        dst.update(from: workspace.logits, count: rows * k)
        Softmax.inPlace(dst, rows: rows, cols: k)
      }
    }
    return out
  }

  /// Cross-entropy of every row, `ℓᵢ = −log softmax(f(xᵢ))_{yᵢ}`.
  /// - Complexity: as `predictProbabilities`.
  public func perSampleLosses(_ x: Matrix, labels: [Int32]) -> [Float] {
    checkWidth(x)
    checkLabels(labels, rows: x.rows)
    var losses = [Float](repeating: 0, count: x.rows)
    let k = classCount
    labels.withUnsafeBufferPointer { y in
      losses.withUnsafeMutableBufferPointer { out in
        forEachChunk(x) { workspace, _, start, rows in
          CrossEntropy.forward(
            workspace.logits, labels: y.baseAddress! + start, rows: rows, classes: k,
            losses: out.baseAddress! + start)
        }
      }
    }
    return losses
  }

  /// Mean cross-entropy over the rows (accumulated in `Double`); no weight decay.
  public func meanLoss(_ x: Matrix, labels: [Int32]) -> Double {
    guard x.rows > 0 else { return .nan }
    return perSampleLosses(x, labels: labels).reduce(0.0) { $0 + Double($1) } / Double(x.rows)
  }

  /// Gradient of the mean loss over the rows of `x`, flat, in the layout of `parameters`:
  ///
  ///     g = (1/n) Σᵢ ∇_θ ℓ(xᵢ, yᵢ) + λ·w      (λ = `weightDecay` on weights only)
  ///
  /// - Parameters:
  ///   - weightDecay: λ ≥ 0 added as λw to weight entries (default 0: the data term only).
  /// - Complexity: ≈ 3× the forward flops, in chunks of 1 024 rows.
  public func gradient(_ x: Matrix, labels: [Int32], weightDecay: Double = 0) -> [Float] {
    checkWidth(x)
    checkLabels(labels, rows: x.rows)
    precondition(x.rows > 0, "MLP.gradient: no rows")
    var g = [Float](repeating: 0, count: parameters.count)
    let n = x.rows
    let k = classCount
    parameters.values.withUnsafeBufferPointer { theta in
      g.withUnsafeMutableBufferPointer { gp in
        labels.withUnsafeBufferPointer { y in
          forEachChunk(x) { workspace, xp, start, rows in
            _ = CrossEntropy.forwardBackward(
              workspace.logits, labels: y.baseAddress! + start, rows: rows, classes: k,
              scale: 1 / Float(n))
            workspace.backward(
              xp, rows: rows, parameters: theta.baseAddress!, gradients: gp.baseAddress!,
              accumulate: start > 0)
          }
        }
      }
    }
    if weightDecay != 0 { addWeightDecay(Float(weightDecay), from: parameters.values, to: &g) }
    return g
  }

  // MARK: Helpers

  /// Runs the forward pass over `x` in chunks, calling `body(workspace, chunkPointer,
  /// firstRow, rows)` after each chunk's forward pass.
  func forEachChunk(
    _ x: Matrix, _ body: (MLPWorkspace, UnsafePointer<Float>, Int, Int) -> Void
  ) {
    let n = x.rows
    guard n > 0 else { return }
    let workspace = MLPWorkspace(
      geometry: geometry, capacity: min(n, MLPChunking.rows), gathersInput: false)
    let d = featureCount
    parameters.values.withUnsafeBufferPointer { theta in
      x.storage.withUnsafeBufferPointer { xs in
        for start in stride(from: 0, to: n, by: MLPChunking.rows) {
          let rows = min(MLPChunking.rows, n - start)
          let xp = xs.baseAddress! + start * d
          workspace.forward(xp, rows: rows, parameters: theta.baseAddress!)
          body(workspace, xp, start, rows)
        }
      }
    }
  }

  func addWeightDecay(_ lambda: Float, from theta: [Float], to g: inout [Float]) {
    for range in geometry.weightRanges {
      for i in range { g[i] += lambda * theta[i] }
    }
  }

  func checkWidth(_ x: Matrix) {
    precondition(
      x.cols == featureCount,
      "X has \(x.cols) features, but MLP is expecting \(featureCount) features as input")
  }

  func checkLabels(_ labels: [Int32], rows: Int) {
    precondition(labels.count == rows, "MLP: \(labels.count) labels for \(rows) rows")
    precondition(
      labels.allSatisfy { $0 >= 0 && Int($0) < classCount },
      "MLP: labels must lie in 0..<\(classCount)")
  }
}
