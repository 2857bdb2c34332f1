import ExpungeCore

/// Max-pooling over non-overlapping `s × s` windows (stride s; a remainder row or column
/// that does not fill a window is dropped, as PyTorch's `MaxPool2d(s)` does).
///
/// Shapes: input `(rows, H, W, C)`, output `(rows, ⌊H/s⌋, ⌊W/s⌋, C)`. Forward records which
/// element of each window was the maximum (the first one on ties); backward sends each
/// output gradient to that element and 0 to the others:
///
///     dx[i, y, x, c] = dy[i, y/s, x/s, c]  if (y, x) was the window's argmax, else 0
public struct MaxPoolingLayer: Layer {
  public let inputShape: TensorShape
  public let outputShape: TensorShape
  /// The window side s.
  public let size: Int

  /// - Parameters:
  ///   - input: `H × W × C`, with `H, W ≥ size`.
  ///   - size: s ≥ 1.
  public init(input: TensorShape, size: Int) {
    precondition(
      size >= 1 && input.height >= size && input.width >= size,
      "MaxPoolingLayer: window \(size) on \(input)")
    inputShape = input
    self.size = size
    outputShape = TensorShape(
      height: input.height / size, width: input.width / size, channels: input.channels)
  }

  public var parameterShapes: [(suffix: String, shape: [Int])] { [] }

  /// `(rows, output count)` argmax positions within the window (`ky·s + kx`, as Float).
  public func scratchCount(rows: Int) -> Int { rows * outputShape.count }

  public func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int,
    parameters: [UnsafePointer<Float>], scratch: UnsafeMutablePointer<Float>
  ) {
    let (w, c) = (inputShape.width, inputShape.channels)
    let (oh, ow, s) = (outputShape.height, outputShape.width, size)
    let (inCount, outCount) = (inputShape.count, outputShape.count)
    let source = SendablePointer(UnsafeMutablePointer(mutating: x))
    let (target, argmax) = (SendablePointer(y), SendablePointer(scratch))
    parallelFor(rows, minimumChunk: 8) { examples in
      for i in examples {
        let image = source.pointer + i * inCount
        for oy in 0..<oh {
          for ox in 0..<ow {
            let o = i * outCount + (oy * ow + ox) * c
            let (best, position) = (target.pointer + o, argmax.pointer + o)
            let corner = image + ((oy * s) * w + ox * s) * c
            best.update(from: corner, count: c)
            position.update(repeating: 0, count: c)
            for ky in 0..<s {
              for kx in 0..<s where ky + kx > 0 {
                let pixel = corner + (ky * w + kx) * c
                let here = Float(ky * s + kx)
                // Selects, not branches, so the channel loop vectorizes.
                for ch in 0..<c {
                  let (v, b) = (pixel[ch], best[ch])
                  let better = v > b
                  best[ch] = better ? v : b
                  position[ch] = better ? here : position[ch]
                }
              }
            }
          }
        }
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
    let (h, w, c) = (inputShape.height, inputShape.width, inputShape.channels)
    let (oh, ow, s) = (outputShape.height, outputShape.width, size)
    let (inCount, outCount) = (inputShape.count, outputShape.count)
    let gradient = SendablePointer(dy)
    let (target, argmax) = (SendablePointer(dx), SendablePointer(scratch))
    parallelFor(rows, minimumChunk: 8) { examples in
      for i in examples {
        let image = target.pointer + i * inCount
        // Every element inside a window is written below; only a remainder needs zeros.
        if oh * s < h || ow * s < w { image.update(repeating: 0, count: inCount) }
        for oy in 0..<oh {
          for ox in 0..<ow {
            let o = i * outCount + (oy * ow + ox) * c
            let (d, position) = (gradient.pointer + o, argmax.pointer + o)
            let corner = image + ((oy * s) * w + ox * s) * c
            for ky in 0..<s {
              for kx in 0..<s {
                let pixel = corner + (ky * w + kx) * c
                let here = Float(ky * s + kx)
                for ch in 0..<c { pixel[ch] = position[ch] == here ? d[ch] : 0 }
              }
            }
          }
        }
      }
    }
  }
}
