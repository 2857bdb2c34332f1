/// Reshapes `h × w × c` to a flat vector of `h·w·c` features. The channels-last layout is
/// already flat in memory, so forward and backward are copies.
public struct FlattenLayer: Layer {
  public let inputShape: TensorShape
  public var outputShape: TensorShape { .flat(inputShape.count) }

  public init(input: TensorShape) { inputShape = input }

  public var parameterShapes: [(suffix: String, shape: [Int])] { [] }
  public func scratchCount(rows: Int) -> Int { 0 }

  public func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int,
    parameters: [UnsafePointer<Float>], scratch: UnsafeMutablePointer<Float>
  ) {
    y.update(from: x, count: rows * inputShape.count)
  }

  public func backward(
    dy: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, rows: Int, parameters: [UnsafePointer<Float>],
    gradients: [UnsafeMutablePointer<Float>], accumulate: Bool,
    scratch: UnsafeMutablePointer<Float>
  ) {
    dx?.update(from: dy, count: rows * inputShape.count)
  }
}
