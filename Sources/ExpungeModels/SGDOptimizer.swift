import ExpungeCore

/// Stochastic gradient descent with heavy-ball momentum, in the form PyTorch's
/// `torch.optim.SGD` uses (dampening 0, no Nesterov):
///
///     u ← μ·u + g
///     θ ← θ − α·u
///
/// With μ = 0 this is plain SGD. (Sutskever et al., "On the importance of initialization and
/// momentum in deep learning", ICML 2013, write the same recursion with α folded into u.)
public enum SGD {
  /// Applies one momentum step to `count` parameters in place.
  ///
  /// - Parameters:
  ///   - parameters: `(count)` θ, updated.
  ///   - gradients: `(count)` g.
  ///   - velocity: `(count)` u, updated (starts at 0, so the first step is θ − α·g).
  ///   - learningRate: α > 0.
  ///   - momentum: μ in [0, 1).
  /// - Complexity: O(count).
  public static func update(
    parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
    velocity: UnsafeMutablePointer<Float>, count: Int, learningRate: Double, momentum: Double
  ) {
    let lr = Float(learningRate)
    let mu = Float(momentum)
    let p = SendablePointer(parameters)
    let g = SendablePointer(UnsafeMutablePointer(mutating: gradients))
    let u = SendablePointer(velocity)
    parallelFor(count, minimumChunk: Adam.parallelChunk) { range in
      let i = range.lowerBound
      kernel(p.pointer + i, g.pointer + i, u.pointer + i, range.count, lr, mu)
    }
  }

  @inline(__always)
  static func kernel(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>,
    _ n: Int, _ lr: Float, _ mu: Float
  ) {
    for i in 0..<n {
      let ui = mu * u[i] + g[i]
      u[i] = ui
      p[i] -= lr * ui
    }
  }
}
