import ExpungeCore

/// A fully connected layer `y = f(x·Wᵀ + b)` over the flattened example, `f` an optional
/// activation fused into the product's tiles.
///
/// Tensors: `weight (outFeatures, inFeatures)`, `bias (outFeatures)`. Forward and backward
/// are `LinearLayer`'s (the MLP's kernels): with `dz = dy · f′` (from the stored output),
/// `dW = dzᵀ·x`, `db = Σ_rows dz`, `dx = dz·W`.
public struct DenseLayer: Layer {
  public let inputShape: TensorShape
  public let outputShape: TensorShape

  /// - Parameters:
  ///   - input: the incoming example shape (flattened: `input.count` features).
  ///   - outFeatures: units, ≥ 1.
  ///   - activation: `f`, or nil for a linear layer (default).
  public init(input: TensorShape, outFeatures: Int, activation: Activation? = nil) {
    precondition(outFeatures >= 1, "DenseLayer: \(outFeatures) units; expected ≥ 1")
    inputShape = input
    outputShape = .flat(outFeatures)
    self.activation = activation
  }

  /// The fused activation, if any.
  public let activation: Activation?

  var inFeatures: Int { inputShape.count }
  var outFeatures: Int { outputShape.count }

  public var parameterShapes: [(suffix: String, shape: [Int])] {
    [("bias", [outFeatures]), ("weight", [outFeatures, inFeatures])]
  }

  public func scratchCount(rows: Int) -> Int { 0 }

  public func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int,
    parameters: [UnsafePointer<Float>], scratch: UnsafeMutablePointer<Float>
  ) {
    LinearLayer.forward(
      y: y, x: x, weight: parameters[1], bias: parameters[0], rows: rows,
      inFeatures: inFeatures, outFeatures: outFeatures, activation: activation)
  }

  public func backward(
    dy: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, rows: Int, parameters: [UnsafePointer<Float>],
    gradients: [UnsafeMutablePointer<Float>], accumulate: Bool,
    scratch: UnsafeMutablePointer<Float>
  ) {
    if let activation {
      ActivationKernels.backward(dy, output: y, count: rows * outFeatures, activation: activation)
    }
    LinearLayer.backward(
      dx: dx, dweight: gradients[1], dbias: gradients[0], dy: dy, x: x, weight: parameters[1],
      rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, accumulate: accumulate)
  }
}
