import ExpungeCore

/// A sequence of layers and where each layer's tensors sit in a flat parameter buffer.
///
/// Layer tensors are named `layers.<p>.<suffix>` where `p` counts only the layers that have
/// parameters (so a stack of dense layers is named as the MLP names its layers:
/// `layers.0.weight`, `layers.0.bias`, …). The last layer's output is the logits.
public struct LayerStack: Sendable {
  /// The layers, input to output.
  public let layers: [any Layer]
  /// Per layer, the flat-buffer offset of each tensor in the order of its `parameterShapes`.
  let offsets: [[Int]]
  /// Total parameter count.
  public let parameterCount: Int

  /// The stack over `buffer`, whose views must be `layout(layers)`'s (the caller checks).
  public init(layers: [any Layer], buffer: ParameterBuffer) {
    precondition(!layers.isEmpty, "LayerStack: no layers")
    for (a, b) in zip(layers, layers.dropFirst()) {
      precondition(
        a.outputShape.count == b.inputShape.count,
        "LayerStack: a layer's output \(a.outputShape) does not fit the next's input \(b.inputShape)"
      )
    }
    self.layers = layers
    let byName = Dictionary(uniqueKeysWithValues: buffer.views.map { ($0.name, $0.offset) })
    var parametric = 0
    offsets = layers.map { layer in
      guard !layer.parameterShapes.isEmpty else { return [] }
      defer { parametric += 1 }
      return layer.parameterShapes.map { entry in
        let name = Self.tensorName(parametric, entry.suffix)
        guard let offset = byName[name] else {
          preconditionFailure("LayerStack: no tensor \(name)")
        }
        return offset
      }
    }
    parameterCount = buffer.count
  }

  /// `layers.<p>.<suffix>`.
  public static func tensorName(_ parametricIndex: Int, _ suffix: String) -> String {
    "layers.\(parametricIndex).\(suffix)"
  }

  /// The `(name, shape)` of every tensor of `layers`.
  public static func layout(_ layers: [any Layer]) -> [(name: String, shape: [Int])] {
    var parametric = 0
    var result: [(name: String, shape: [Int])] = []
    for layer in layers where !layer.parameterShapes.isEmpty {
      for entry in layer.parameterShapes {
        result.append((name: tensorName(parametric, entry.suffix), shape: entry.shape))
      }
      parametric += 1
    }
    return result
  }

  /// Values per input example.
  public var inputCount: Int { layers[0].inputShape.count }
  /// Values per output example (the logits' width).
  public var outputCount: Int { layers[layers.count - 1].outputShape.count }

  /// Layer `l`'s tensors as pointers into `theta`.
  func parameters(_ l: Int, _ theta: UnsafePointer<Float>) -> [UnsafePointer<Float>] {
    offsets[l].map { theta + $0 }
  }

  /// Layer `l`'s gradients as pointers into `dtheta`.
  func gradients(_ l: Int, _ dtheta: UnsafeMutablePointer<Float>) -> [UnsafeMutablePointer<Float>] {
    offsets[l].map { dtheta + $0 }
  }

  /// Flat-index ranges of the weight tensors (not the biases): where weight decay applies.
  public static func weightRanges(_ buffer: ParameterBuffer) -> [Range<Int>] {
    buffer.views.filter { $0.name.hasSuffix(".weight") }.map(\.range)
  }

  /// Useful flops of a forward pass over `rows` examples: the products of the dense and
  /// convolution layers (2·m·n·k each).
  public func forwardFlops(rows: Int) -> Double {
    var flops = 0.0
    for layer in layers {
      let weights = layer.parameterShapes.first { $0.suffix == "weight" }?.shape.reduce(1, *) ?? 0
      let positions =
        layer is Convolution2DLayer ? layer.outputShape.height * layer.outputShape.width : 1
      flops += 2 * Double(rows) * Double(positions) * Double(weights)
    }
    return flops
  }
}

/// Activation, gradient and scratch buffers of a `LayerStack` for batches of up to
/// `capacity` examples, allocated once and reused for every batch.
final class LayerStackWorkspace {
  let stack: LayerStack
  let capacity: Int
  /// `(capacity, inputCount)` a gathered minibatch.
  let input: UnsafeMutablePointer<Float>
  /// `(capacity)` a gathered minibatch's labels.
  let labels: UnsafeMutablePointer<Int32>
  /// `outputs[l]`: `(capacity, layers[l].outputShape.count)`; the last holds the logits,
  /// then (after the loss) ∂L/∂logits.
  let outputs: [UnsafeMutablePointer<Float>]
  /// Per layer, what its forward pass keeps for its backward pass.
  let scratch: [UnsafeMutablePointer<Float>]
  /// `(capacity, widest boundary)` ×2: ping-pong buffers for the gradients between layers.
  let gradientA: UnsafeMutablePointer<Float>
  let gradientB: UnsafeMutablePointer<Float>

  init(stack: LayerStack, capacity: Int) {
    self.stack = stack
    self.capacity = capacity
    input = .allocate(capacity: capacity * stack.inputCount)
    labels = .allocate(capacity: capacity)
    outputs = stack.layers.map { .allocate(capacity: capacity * $0.outputShape.count) }
    scratch = stack.layers.map { .allocate(capacity: max(1, $0.scratchCount(rows: capacity))) }
    let widest = stack.layers.map { max($0.inputShape.count, $0.outputShape.count) }.max()!
    gradientA = .allocate(capacity: capacity * widest)
    gradientB = .allocate(capacity: capacity * widest)
  }

  deinit {
    input.deallocate()
    labels.deallocate()
    for o in outputs { o.deallocate() }
    for s in scratch { s.deallocate() }
    gradientA.deallocate()
    gradientB.deallocate()
  }

  /// `(capacity, outputCount)` the logits (or their gradient after the loss).
  var logits: UnsafeMutablePointer<Float> { outputs[outputs.count - 1] }

  /// Forward pass of `rows` examples `x (rows, inputCount)`; the logits end in `logits`.
  func forward(_ x: UnsafePointer<Float>, rows: Int, parameters theta: UnsafePointer<Float>) {
    precondition(rows <= capacity, "LayerStack workspace holds \(capacity) rows, asked for \(rows)")
    var h = x
    for (l, layer) in stack.layers.enumerated() {
      layer.forward(
        h, outputs[l], rows: rows, parameters: stack.parameters(l, theta), scratch: scratch[l])
      h = UnsafePointer(outputs[l])
    }
  }

  /// Backward pass after `forward` and a loss that left ∂L/∂logits in `logits`: writes (or
  /// with `accumulate` adds) every parameter gradient into `dtheta`, and ∂L/∂x into
  /// `inputGradient` when given (else the first layer skips its input gradient).
  func backward(
    _ x: UnsafePointer<Float>, rows: Int, parameters theta: UnsafePointer<Float>,
    gradients dtheta: UnsafeMutablePointer<Float>, accumulate: Bool,
    inputGradient: UnsafeMutablePointer<Float>? = nil
  ) {
    var dy = logits
    var spare = gradientA
    for l in stride(from: stack.layers.count - 1, through: 0, by: -1) {
      let layer = stack.layers[l]
      let input = l == 0 ? x : UnsafePointer(outputs[l - 1])
      let dx = l == 0 ? inputGradient : spare
      layer.backward(
        dy: dy, x: input, y: outputs[l], dx: dx, rows: rows,
        parameters: stack.parameters(l, theta), gradients: stack.gradients(l, dtheta),
        accumulate: accumulate, scratch: scratch[l])
      if l > 0 {
        dy = spare
        spare = spare == gradientA ? gradientB : gradientA
      }
    }
  }

  /// Copies rows `order[start..<start+rows]` of `x (n, inputCount)` and their labels into
  /// `input` and `labels`, in chunks on the pool.
  func gather(
    _ x: UnsafePointer<Float>, labels y: UnsafePointer<Int32>, order: UnsafePointer<Int>,
    start: Int, rows: Int
  ) {
    let d = stack.inputCount
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
