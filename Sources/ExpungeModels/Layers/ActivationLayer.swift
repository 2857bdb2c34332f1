import ExpungeCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An elementwise nonlinearity `y = f(x)` (ReLU or tanh), shape unchanged.
///
/// Backward uses the stored output: `dx = dy · f′`, with `f′ = [y > 0]` for ReLU and
/// `1 − y²` for tanh (`ActivationKernels`).
public struct ActivationLayer: Layer {
  public let inputShape: TensorShape
  public var outputShape: TensorShape { inputShape }
  /// Which nonlinearity.
  public let activation: Activation

  public init(input: TensorShape, activation: Activation) {
    inputShape = input
    self.activation = activation
  }

  public var parameterShapes: [(suffix: String, shape: [Int])] { [] }
  public func scratchCount(rows: Int) -> Int { 0 }

  /// Elements per parallel chunk: the loops are memory-bound.
  static let minimumChunk = 65_536

  public func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int,
    parameters: [UnsafePointer<Float>], scratch: UnsafeMutablePointer<Float>
  ) {
    let (source, target) = (SendablePointer(UnsafeMutablePointer(mutating: x)), SendablePointer(y))
    let activation = activation
    parallelFor(rows * inputShape.count, minimumChunk: Self.minimumChunk) { chunk in
      let (a, b) = (source.pointer + chunk.lowerBound, target.pointer + chunk.lowerBound)
      switch activation {
      case .relu:
        for i in 0..<chunk.count {
          let v = a[i]
          b[i] = v > 0 ? v : 0
        }
      case .tanh:
        for i in 0..<chunk.count { b[i] = tanhf(a[i]) }
      }
    }
  }

  public func backward(
    dy: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, rows: Int, parameters: [UnsafePointer<Float>],
    gradients: [UnsafeMutablePointer<Float>], accumulate: Bool,
    scratch: UnsafeMutablePointer<Float>
  ) {
    guard let dx else { return }
    let d = SendablePointer(UnsafeMutablePointer(mutating: dy))
    let out = SendablePointer(UnsafeMutablePointer(mutating: y))
    let target = SendablePointer(dx)
    let activation = activation
    parallelFor(rows * inputShape.count, minimumChunk: Self.minimumChunk) { chunk in
      let i0 = chunk.lowerBound
      target.pointer.advanced(by: i0).update(from: d.pointer + i0, count: chunk.count)
      ActivationKernels.backward(
        target.pointer + i0, output: out.pointer + i0, count: chunk.count, activation: activation)
    }
  }
}
