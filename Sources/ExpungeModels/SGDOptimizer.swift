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
      let (pp, gp, up) = (
        p.pointer + range.lowerBound, g.pointer + range.lowerBound, u.pointer + range.lowerBound
      )
      for i in 0..<range.count {
        let ui = mu * up[i] + gp[i]
        up[i] = ui
        pp[i] -= lr * ui
      }
    }
  }
}
