import ExpungeCore
import ExpungeModels

/// Finite-difference checks of a single layer, against the scalar `L = Σ r ⊙ layer(x)` for
/// a fixed random `r` (so `∂L/∂y = r`).
struct LayerCheck {
  let layer: any Layer
  let rows: Int
  var x: [Float]
  var parameters: [[Float]]
  let r: [Float]

  init(_ layer: any Layer, rows: Int = 2, seed: UInt64 = 11) {
    self.layer = layer
    self.rows = rows
    var rng = SeededGenerator(seed: seed)
    x = rng.uniforms(rows * layer.inputShape.count, low: -1, high: 1)
    parameters = layer.parameterShapes.map {
      rng.uniforms($0.shape.reduce(1, *), low: -0.5, high: 0.5)
    }
    r = rng.uniforms(rows * layer.outputShape.count, low: -1, high: 1)
  }

  /// The forward output for the given input and parameters.
  func forward(x: [Float], parameters: [[Float]]) -> [Float] {
    var y = [Float](repeating: 0, count: rows * layer.outputShape.count)
    var scratch = [Float](repeating: 0, count: max(1, layer.scratchCount(rows: rows)))
    withPointers(parameters) { p in
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
          scratch.withUnsafeMutableBufferPointer { sp in
            layer.forward(
              xp.baseAddress!, yp.baseAddress!, rows: rows, parameters: p,
              scratch: sp.baseAddress!)
          }
        }
      }
    }
    return y
  }

  func objective(x: [Float], parameters: [[Float]]) -> Double {
    zip(forward(x: x, parameters: parameters), r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
  }

  /// The analytic `(dx, dparameters)` from `backward`.
  func analytic() -> (dx: [Float], dparameters: [[Float]]) {
    var y = [Float](repeating: 0, count: rows * layer.outputShape.count)
    var scratch = [Float](repeating: 0, count: max(1, layer.scratchCount(rows: rows)))
    var dx = [Float](repeating: .nan, count: x.count)
    var dparameters = parameters.map { [Float](repeating: .nan, count: $0.count) }
    var dy = r
    withPointers(parameters) { p in
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
          scratch.withUnsafeMutableBufferPointer { sp in
            layer.forward(
              xp.baseAddress!, yp.baseAddress!, rows: rows, parameters: p,
              scratch: sp.baseAddress!)
            dx.withUnsafeMutableBufferPointer { dxp in
              dy.withUnsafeMutableBufferPointer { dyp in
                withMutablePointers(&dparameters) { g in
                  layer.backward(
                    dy: dyp.baseAddress!, x: xp.baseAddress!, y: yp.baseAddress!,
                    dx: dxp.baseAddress!, rows: rows, parameters: p, gradients: g,
                    accumulate: false, scratch: sp.baseAddress!)
                }
              }
            }
          }
        }
      }
    }
    return (dx, dparameters)
  }

  /// The largest `|analytic − central difference| / max(1, |analytic|)` over every input
  /// and every parameter.
  func worstError(h: Float = 1e-3) -> (inputs: Double, parameters: Double) {
    let (dx, dp) = analytic()
    var worstInput = 0.0
    for i in 0..<x.count {
      var plus = x
      var minus = x
      plus[i] += h
      minus[i] -= h
      let fd =
        (objective(x: plus, parameters: parameters) - objective(x: minus, parameters: parameters))
        / Double(2 * h)
      worstInput = max(worstInput, abs(Double(dx[i]) - fd) / max(1, abs(Double(dx[i]))))
    }
    var worstParameter = 0.0
    for t in 0..<parameters.count {
      for i in 0..<parameters[t].count {
        var plus = parameters
        var minus = parameters
        plus[t][i] += h
        minus[t][i] -= h
        let fd =
          (objective(x: x, parameters: plus) - objective(x: x, parameters: minus)) / Double(2 * h)
        worstParameter = max(
          worstParameter, abs(Double(dp[t][i]) - fd) / max(1, abs(Double(dp[t][i]))))
      }
    }
    return (worstInput, worstParameter)
  }
}

func withPointers<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
  let copies = arrays.map { a -> UnsafeMutablePointer<Float> in
    let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, a.count))
    p.initialize(from: a, count: a.count)
    return p
  }
  defer { copies.forEach { $0.deallocate() } }
  return body(copies.map { UnsafePointer($0) })
}

func withMutablePointers<R>(_ arrays: inout [[Float]], _ body: ([UnsafeMutablePointer<Float>]) -> R)
  -> R
{
  let copies = arrays.map { a -> UnsafeMutablePointer<Float> in
    let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, a.count))
    p.initialize(from: a, count: a.count)
    return p
  }
  defer { copies.forEach { $0.deallocate() } }
  let result = body(copies)
  for t in 0..<arrays.count {
    arrays[t] = Array(UnsafeBufferPointer(start: copies[t], count: arrays[t].count))
  }
  return result
}
