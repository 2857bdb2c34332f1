/// One stage of a layered network as an explicit forward/backward pair over raw row-major
/// buffers (llm.c style). A batch of `rows` examples enters as `(rows, inputShape.count)`
/// and leaves as `(rows, outputShape.count)`; parameters and their gradients are views into
/// the network's flat buffers (`LayerStack` hands each layer its own), so nothing is copied
/// per batch.
///
/// A layer keeps in `scratch` what its backward pass needs besides its input and output
/// (a convolution's unfolded patches, a pooling window's argmax); the stack allocates
/// `scratchCount(rows:)` floats per layer once and reuses them for every batch.
public protocol Layer: Sendable {
  /// The shape of one example entering the layer.
  var inputShape: TensorShape { get }
  /// The shape of one example leaving it.
  var outputShape: TensorShape { get }
  /// The layer's tensors as `(suffix, shape)`, e.g. `("weight", [out, in])`; the stack
  /// names them `layers.<index>.<suffix>`. Empty for a layer without parameters.
  var parameterShapes: [(suffix: String, shape: [Int])] { get }
  /// Floats of scratch the layer needs for a batch of `rows` examples.
  func scratchCount(rows: Int) -> Int

  /// `y ← layer(x)`.
  /// - Parameters:
  ///   - x: `(rows, inputShape.count)`.
  ///   - y: `(rows, outputShape.count)`, overwritten.
  ///   - parameters: the layer's tensors, in the order of `parameterShapes`.
  ///   - scratch: `scratchCount(rows:)` floats, kept for `backward`.
  func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int,
    parameters: [UnsafePointer<Float>], scratch: UnsafeMutablePointer<Float>)

  /// Gradients after `forward` on the same batch.
  /// - Parameters:
  ///   - dy: `(rows, outputShape.count)` ∂L/∂y; the layer may overwrite it (a fused
  ///     activation turns it into the gradient before the activation in place).
  ///   - x, y: the forward pass's input and output.
  ///   - dx: `(rows, inputShape.count)` ∂L/∂x, overwritten; nil skips it (the first layer).
  ///   - gradients: the parameter gradients, in the order of `parameterShapes`; overwritten,
  ///     or added to with `accumulate`.
  func backward(
    dy: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, rows: Int, parameters: [UnsafePointer<Float>],
    gradients: [UnsafeMutablePointer<Float>], accumulate: Bool,
    scratch: UnsafeMutablePointer<Float>)
}
