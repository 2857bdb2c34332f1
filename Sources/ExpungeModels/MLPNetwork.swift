import ExpungeCore

/// The shape of an MLP and where each layer's tensors sit in the flat parameter buffer.
///
/// Layer `l` (0-based, `L = widths.count − 1` layers) maps `widths[l]` features to
/// `widths[l + 1]`; layers `0..<L−1` are hidden (followed by the activation), layer `L − 1`
/// produces the logits.
struct MLPGeometry: Sendable {
  /// `[d, h₁, …, h_{L−1}, K]`.
  let widths: [Int]
  /// Offset of `layers.l.weight` `(widths[l+1], widths[l])` in the flat buffer.
  let weightOffsets: [Int]
  /// Offset of `layers.l.bias` `(widths[l+1])` in the flat buffer.
  let biasOffsets: [Int]
  let activation: Activation
  /// Total parameter count.
  let parameterCount: Int

  var layerCount: Int { widths.count - 1 }
  var inputWidth: Int { widths[0] }
  var classCount: Int { widths[widths.count - 1] }
  /// Widest hidden layer (0 without hidden layers).
  var maxHidden: Int { widths.dropFirst().dropLast().max() ?? 0 }

  static func weightName(_ l: Int) -> String { "layers.\(l).weight" }
  static func biasName(_ l: Int) -> String { "layers.\(l).bias" }

  /// The `(name, shape)` list of an MLP with these widths.
  static func layout(widths: [Int]) -> [(name: String, shape: [Int])] {
    (0..<(widths.count - 1)).flatMap { l in
      [
        (name: weightName(l), shape: [widths[l + 1], widths[l]]),
        (name: biasName(l), shape: [widths[l + 1]]),
      ]
    }
  }

  init(widths: [Int], activation: Activation, buffer: ParameterBuffer) {
    self.widths = widths
    self.activation = activation
    let offsets = Dictionary(uniqueKeysWithValues: buffer.views.map { ($0.name, $0.offset) })
    weightOffsets = (0..<(widths.count - 1)).map { offsets[Self.weightName($0)]! }
    biasOffsets = (0..<(widths.count - 1)).map { offsets[Self.biasName($0)]! }
    parameterCount = buffer.count
  }

  /// Indices of the flat buffer that belong to weights (not biases), as ranges.
  var weightRanges: [Range<Int>] {
    (0..<layerCount).map { l in
      weightOffsets[l]..<(weightOffsets[l] + widths[l + 1] * widths[l])
    }
  }

  /// Useful flops of one training step on `rows` rows: forward and weight-gradient gemms of
  /// every layer, input-gradient gemms of every layer but the first.
  func trainingFlops(rows: Int) -> Double {
    var f = 0.0
    for l in 0..<layerCount {
      let mnk = Double(rows) * Double(widths[l]) * Double(widths[l + 1])
      f += 2 * mnk * (l == 0 ? 2 : 3)
    }
    return f
  }
}

/// Activation and gradient buffers for batches of up to `capacity` rows, allocated once and
/// reused for every batch (llm.c's "activations" struct).
final class MLPWorkspace {
  let geometry: MLPGeometry
  let capacity: Int
  /// `(capacity, d)` minibatch rows gathered from the training matrix.
  let input: UnsafeMutablePointer<Float>
  /// `(capacity)` minibatch labels.
  let labels: UnsafeMutablePointer<Int32>
  /// `outputs[l]`: `(capacity, widths[l+1])`, layer `l`'s activation output `h_{l+1} = f(z_l)`;
  /// the last one holds the logits, then (after the loss) the scaled `dlogits`.
  let outputs: [UnsafeMutablePointer<Float>]
  /// `(capacity, maxHidden)` ×2: ping-pong buffers for input gradients `dh` of hidden layers.
  let gradientA: UnsafeMutablePointer<Float>
  let gradientB: UnsafeMutablePointer<Float>
  /// `(capacity)` per-row losses.
  let losses: UnsafeMutablePointer<Float>

  init(geometry: MLPGeometry, capacity: Int, gathersInput: Bool) {
    self.geometry = geometry
    self.capacity = capacity
    let w = geometry.widths
    input = .allocate(capacity: gathersInput ? capacity * w[0] : 0)
    labels = .allocate(capacity: capacity)
    outputs = (0..<geometry.layerCount).map { .allocate(capacity: capacity * w[$0 + 1]) }
    gradientA = .allocate(capacity: capacity * geometry.maxHidden)
    gradientB = .allocate(capacity: capacity * geometry.maxHidden)
    losses = .allocate(capacity: capacity)
  }

  deinit {
    input.deallocate()
    labels.deallocate()
    for o in outputs { o.deallocate() }
    gradientA.deallocate()
    gradientB.deallocate()
    losses.deallocate()
  }

  /// The logits buffer, `(capacity, K)`.
  var logits: UnsafeMutablePointer<Float> { outputs[outputs.count - 1] }

  /// Forward pass of `rows` rows of `x` `(rows, d)`: fills `outputs`, the last with logits.
  func forward(_ x: UnsafePointer<Float>, rows: Int, parameters theta: UnsafePointer<Float>) {
    precondition(rows <= capacity, "MLP workspace holds \(capacity) rows, asked for \(rows)")
    let g = geometry
    var h = x
    for l in 0..<g.layerCount {
      LinearLayer.forward(
        y: outputs[l], x: h, weight: theta + g.weightOffsets[l], bias: theta + g.biasOffsets[l],
        rows: rows, inFeatures: g.widths[l], outFeatures: g.widths[l + 1],
        activation: l < g.layerCount - 1 ? g.activation : nil)
      h = UnsafePointer(outputs[l])
    }
  }

  /// Backward pass after `forward` and `CrossEntropy.forwardBackward` (the logits buffer
  /// holds `dlogits`): writes (or, with `accumulate`, adds) every parameter gradient into
  /// `gradients`. The first layer's input gradient is never computed.
  ///
  /// - Parameter gradientReady: called with each run of the flat gradient buffer once it is
  ///   final (and whether it holds weights or biases), possibly on a worker thread: a layer's
  ///   parameters may be updated then, since the passes below it no longer read them.
  func backward(
    _ x: UnsafePointer<Float>, rows: Int, parameters theta: UnsafePointer<Float>,
    gradients dtheta: UnsafeMutablePointer<Float>, accumulate: Bool,
    gradientReady: ((_ run: Range<Int>, _ isWeight: Bool) -> Void)? = nil
  ) {
    let g = geometry
    var dy = UnsafePointer(logits)  // (rows, widths[l+1])
    var spare = gradientA  // (rows, widths[l]) receives dh of layer l's input
    for l in stride(from: g.layerCount - 1, through: 0, by: -1) {
      let h = l == 0 ? x : UnsafePointer(outputs[l - 1])
      LinearLayer.backward(
        dx: l == 0 ? nil : spare, dweight: dtheta + g.weightOffsets[l],
        dbias: dtheta + g.biasOffsets[l], dy: dy, x: h, weight: theta + g.weightOffsets[l],
        rows: rows, inFeatures: g.widths[l], outFeatures: g.widths[l + 1],
        accumulate: accumulate,
        gradientReady: gradientReady.map { ready in
          { run, isWeight in
            let offset = isWeight ? g.weightOffsets[l] : g.biasOffsets[l]
            ready((offset + run.lowerBound)..<(offset + run.upperBound), isWeight)
          }
        })
      if l > 0 {
        ActivationKernels.backward(
          spare, output: outputs[l - 1], count: rows * g.widths[l], activation: g.activation)
        dy = UnsafePointer(spare)
        spare = spare == gradientA ? gradientB : gradientA
      }
    }
  }

  /// Copies rows `order[start..<start+rows]` of `x` `(n, d)` and their labels into `input`
  /// and `labels`, in chunks of at least 64 rows on the pool (a batch of 128 Fashion-MNIST
  /// rows is 400 KB of scattered reads).
  func gather(
    _ x: UnsafePointer<Float>, labels y: UnsafePointer<Int32>, order: UnsafePointer<Int>,
    start: Int, rows: Int
  ) {
    let d = geometry.inputWidth
    let (source, sourceLabels) = (
      SendablePointer(UnsafeMutablePointer(mutating: x)),
      SendablePointer(UnsafeMutablePointer(mutating: y))
    )
    let rowOrder = SendablePointer(UnsafeMutablePointer(mutating: order + start))
    let (destination, destinationLabels) = (SendablePointer(input), SendablePointer(labels))
    parallelFor(rows, minimumChunk: 64) { chunk in
      for k in chunk {
        let r = rowOrder[k]
        (destination.pointer + k * d).update(from: source.pointer + r * d, count: d)
        destinationLabels[k] = sourceLabels[r]
      }
    }
  }
}

/// Row chunking for inference, gradients and HVPs on many rows: bounded memory, and the
/// chunk boundaries depend only on the row count (so results are deterministic).
enum MLPChunking {
  /// Rows per inference chunk.
  static let rows = 1024
}
