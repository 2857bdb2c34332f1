import ExpungeCore
import ExpungeData

/// A layered classifier network: a `LayerStack` and its parameters in one flat buffer,
/// with softmax outputs. The engine behind `CNN` and the approximate unlearning methods:
/// per-example losses, gradients of weighted (also negatively weighted) losses toward hard
/// labels, soft targets or a teacher, gradients with respect to the inputs, masked training
/// steps and the diagonal Fisher information.
///
/// Work over many rows runs in chunks of `chunkRows` examples whose bounds depend only on the
/// row count, so every result has the same bits on any thread count.
public struct LayeredNetwork: Sendable {
  /// The layers and the offsets of their tensors.
  public let stack: LayerStack
  /// Every learned value, views `layers.<p>.weight` / `layers.<p>.bias`.
  public var parameters: ParameterBuffer

  /// Examples per chunk when evaluating many rows.
  public static let chunkRows = 256

  /// The network over `parameters`, which must hold exactly `LayerStack.layout(layers)`.
  /// - Throws: `ModelError.layoutMismatch` for a missing, extra or mis-shaped tensor.
  public init(layers: [any Layer], parameters: ParameterBuffer) throws {
    let expected = LayerStack.layout(layers)
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
    stack = LayerStack(layers: layers, buffer: parameters)
    self.parameters = parameters
  }

  /// A freshly initialized network. Layer `p` (counting layers with parameters) draws its
  /// weights row-major from `generator.derived(p)`; biases are 0:
  ///
  ///     followed by a ReLU:   W ~ U(−a, a),  a = √(6 / fan_in)             (He et al., 2015)
  ///     otherwise:            W ~ U(−a, a),  a = √(6 / (fan_in + fan_out)) (Glorot, 2010)
  ///
  /// with `fan_in` = inputs per output (k·k·C for a convolution), `fan_out` = outputs per
  /// input (k·k·F).
  public init(layers: [any Layer], initializationGenerator generator: SeededGenerator) {
    var buffer = ParameterBuffer(layout: LayerStack.layout(layers))
    var p = 0
    for (l, layer) in layers.enumerated() {
      guard let weight = layer.parameterShapes.first(where: { $0.suffix == "weight" }) else {
        continue
      }
      let outputs = weight.shape[0]
      let perOutput = weight.shape.dropFirst().reduce(1, *)
      let taps = weight.shape.count == 4 ? weight.shape[1] * weight.shape[2] : 1
      let (fanIn, fanOut) = (perOutput, outputs * taps)
      let followedByReLU = Self.activation(after: l, in: layers) == .relu
      let bound =
        followedByReLU
        ? (6 / Double(fanIn)).squareRoot() : (6 / Double(fanIn + fanOut)).squareRoot()
      var rng = generator.derived(UInt64(p))
      buffer[LayerStack.tensorName(p, "weight")] = rng.uniforms(
        outputs * perOutput, low: -Float(bound), high: Float(bound))
      p += 1
    }
    stack = LayerStack(layers: layers, buffer: buffer)
    parameters = buffer
  }

  /// The activation applied to layer `l`'s output: its own fused one, or the next
  /// activation layer's when only max-pooling (which commutes with it) comes between.
  static func activation(after l: Int, in layers: [any Layer]) -> Activation? {
    if let fused = (layers[l] as? DenseLayer)?.activation
      ?? (layers[l] as? Convolution2DLayer)?.activation
    {
      return fused
    }
    var next = l + 1
    while next < layers.count, layers[next] is MaxPoolingLayer { next += 1 }
    return next < layers.count ? (layers[next] as? ActivationLayer)?.activation : nil
  }

  /// Values per input row.
  public var inputCount: Int { stack.inputCount }
  /// Number of classes (the logits' width).
  public var classCount: Int { stack.outputCount }

  // MARK: Evaluation

  /// Runs the forward pass over `x (n, inputCount)` in chunks, calling `body(workspace,
  /// chunk input, first row, rows)` after each chunk's forward pass.
  func forEachChunk(
    _ x: Matrix, _ body: (LayerStackWorkspace, UnsafePointer<Float>, Int, Int) -> Void
  ) {
    precondition(
      x.cols == inputCount,
      "X has \(x.cols) features, but the network is expecting \(inputCount) features as input")
    let n = x.rows
    guard n > 0 else { return }
    let workspace = LayerStackWorkspace(stack: stack, capacity: min(n, Self.chunkRows))
    let d = inputCount
    parameters.values.withUnsafeBufferPointer { theta in
      x.storage.withUnsafeBufferPointer { xs in
        for start in stride(from: 0, to: n, by: Self.chunkRows) {
          let rows = min(Self.chunkRows, n - start)
          let xp = xs.baseAddress! + start * d
          workspace.forward(xp, rows: rows, parameters: theta.baseAddress!)
          body(workspace, xp, start, rows)
        }
      }
    }
  }

  /// The logits `(n, K)`.
  public func logits(_ x: Matrix) -> Matrix {
    var out = Matrix(rows: x.rows, cols: classCount)
    let k = classCount
    forEachChunk(x) { workspace, _, start, rows in
      out.storage.withUnsafeMutableBufferPointer { o in
        (o.baseAddress! + start * k).update(from: workspace.logits, count: rows * k)
      }
    }
    return out
  }

  /// Class probabilities `(n, K)`, `softmax` of the logits.
  public func probabilities(_ x: Matrix) -> Matrix {
    var z = logits(x)
    let (rows, k) = (z.rows, z.cols)
    z.storage.withUnsafeMutableBufferPointer {
      Softmax.inPlace($0.baseAddress!, rows: rows, cols: k)
    }
    return z
  }

  /// The loss of every row toward its target (see `SoftmaxTargets`).
  public func perExampleLosses(_ x: Matrix, targets: SoftmaxTargets) -> [Float] {
    checkTargets(targets, rows: x.rows)
    var losses = [Float](repeating: 0, count: x.rows)
    let k = classCount
    losses.withUnsafeMutableBufferPointer { out in
      forEachChunk(x) { workspace, _, start, rows in
        targets.losses(
          workspace.logits, first: start, rows: rows, classes: k, into: out.baseAddress! + start)
      }
    }
    return losses
  }

  /// The weighted mean loss and its gradient, flat in the layout of `parameters`:
  ///
  ///     L = (1/n) Σᵢ wᵢ·ℓᵢ + (λ/2)‖w‖²,   g = ∇_θ L      (λ on weights, not biases)
  ///
  /// - Parameters:
  ///   - rowWeights: wᵢ per row (default 1); negative weights ascend their rows' loss.
  ///   - weightDecay: λ ≥ 0 (default 0).
  /// - Complexity: about 3× the forward flops, in chunks of `chunkRows` rows.
  public func lossAndGradient(
    _ x: Matrix, targets: SoftmaxTargets, rowWeights: [Float]? = nil, weightDecay: Double = 0
  ) -> (loss: Double, gradient: [Float]) {
    checkTargets(targets, rows: x.rows)
    precondition(x.rows > 0, "LayeredNetwork.lossAndGradient: no rows")
    if let rowWeights {
      precondition(
        rowWeights.count == x.rows, "\(rowWeights.count) row weights for \(x.rows) rows")
    }
    var g = [Float](repeating: 0, count: parameters.count)
    let (n, k) = (x.rows, classCount)
    var total = 0.0
    parameters.values.withUnsafeBufferPointer { theta in
      g.withUnsafeMutableBufferPointer { gp in
        withOptionalPointer(rowWeights) { w in
          forEachChunk(x) { workspace, xp, start, rows in
            total += targets.lossAndGradient(
              workspace.logits, first: start, rows: rows, classes: k, weights: w,
              scale: 1 / Float(n))
            workspace.backward(
              xp, rows: rows, parameters: theta.baseAddress!, gradients: gp.baseAddress!,
              accumulate: start > 0)
          }
        }
      }
    }
    var loss = total / Double(n)
    if weightDecay != 0 {
      let lambda = Float(weightDecay)
      var penalty = 0.0
      for range in LayerStack.weightRanges(parameters) {
        for i in range {
          g[i] += lambda * parameters.values[i]
          penalty += Double(parameters.values[i]) * Double(parameters.values[i])
        }
      }
      loss += weightDecay / 2 * penalty
    }
    return (loss, g)
  }

  /// ∂ℓᵢ/∂xᵢ for every row: the gradient of each row's own loss with respect to its input,
  /// `(n, inputCount)` (adversarial and saliency methods, boundary shrinking).
  public func inputGradients(_ x: Matrix, targets: SoftmaxTargets) -> Matrix {
    checkTargets(targets, rows: x.rows)
    var out = Matrix(rows: x.rows, cols: inputCount)
    var scratch = [Float](repeating: 0, count: parameters.count)
    let (d, k) = (inputCount, classCount)
    parameters.values.withUnsafeBufferPointer { theta in
      scratch.withUnsafeMutableBufferPointer { gp in
        out.storage.withUnsafeMutableBufferPointer { o in
          forEachChunk(x) { workspace, xp, start, rows in
            _ = targets.lossAndGradient(
              workspace.logits, first: start, rows: rows, classes: k, weights: nil, scale: 1)
            workspace.backward(
              xp, rows: rows, parameters: theta.baseAddress!, gradients: gp.baseAddress!,
              accumulate: false, inputGradient: o.baseAddress! + start * d)
          }
        }
      }
    }
    return out
  }

  /// The same network with every parameter replaced by `values` (same layout).
  public func withParameterValues(_ values: [Float]) -> LayeredNetwork {
    precondition(
      values.count == parameters.count,
      "LayeredNetwork: \(values.count) values, the network has \(parameters.count)")
    var copy = self
    copy.parameters.values = values
    return copy
  }

  func checkTargets(_ targets: SoftmaxTargets, rows: Int) {
    precondition(targets.count == rows, "\(targets.count) targets for \(rows) rows")
    switch targets {
    case .labels(let y):
      precondition(
        y.allSatisfy { $0 >= 0 && Int($0) < classCount },
        "labels must lie in 0..<\(classCount)")
    case .distributions(let t), .teacher(let t):
      precondition(t.cols == classCount, "targets have \(t.cols) classes, expected \(classCount)")
    }
  }
}

/// Calls `body` with a pointer to `array`'s elements, or nil.
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
  guard let array else { return body(nil) }
  return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
