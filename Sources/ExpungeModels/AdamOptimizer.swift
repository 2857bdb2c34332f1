import ExpungeCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015), one update
/// over a whole flat parameter buffer in a single vectorizable loop.
///
/// At step `t` (1-based) with gradient `g`:
///
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     θ ← θ − α · m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
///
/// with β₁ = 0.9, β₂ = 0.999, ε = 1e-8. The bias corrections are computed once per step (in
/// `Double`), and the loop evaluates the same expression as PyTorch's `torch.optim.Adam`:
///
///     θ ← θ − (α / (1 − β₁ᵗ)) · m / (√v · (1/√(1 − β₂ᵗ)) + ε)
public enum Adam {
  /// β₁, the decay of the first-moment average. The kernel multiplies by `Float(β₁)` and
  /// `Float(1 − β₁)` (the complement taken in `Double`: `1 − Float(0.999)` would be off by
  /// 5e-5 relative).
  public static let beta1: Double = 0.9
  /// β₂, the decay of the second-moment average.
  public static let beta2: Double = 0.999
  /// ε, added to the denominator.
  public static let epsilon: Float = 1e-8

  /// Parameters per chunk of a parallel update, at least: the loop is memory-bound (28 bytes
  /// per parameter), and 16 384 parameters (450 KB) outweigh a task's dispatch many times
  /// over while cutting an MLP 784-256-10 layer into 12 chunks that 2, 3 or 4 threads share
  /// evenly.
  public static let parallelChunk = 16_384

  /// Applies step `step` (1-based) of Adam to `count` parameters in place.
  ///
  /// - Parameters:
  ///   - parameters: `(count)` θ, updated.
  ///   - gradients: `(count)` g.
  ///   - firstMoment: `(count)` m, updated.
  ///   - secondMoment: `(count)` v, updated.
  ///   - learningRate: α > 0.
  ///   - step: t ≥ 1, the number of updates including this one.
  /// - Complexity: O(count); one square root and one division per parameter.
  public static func update(
    parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
    firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>,
    count: Int, learningRate: Double, step: Int
  ) {
    precondition(step >= 1, "Adam.update: step must be ≥ 1, got \(step)")
    let (stepSize, inverseRoot2) = constants(learningRate: learningRate, step: step)
    let p = SendablePointer(parameters)
    let g = SendablePointer(UnsafeMutablePointer(mutating: gradients))
    let m = SendablePointer(firstMoment)
    let v = SendablePointer(secondMoment)
    parallelFor(count, minimumChunk: parallelChunk) { range in
      kernel(
        p.pointer + range.lowerBound, g.pointer + range.lowerBound, m.pointer + range.lowerBound,
        v.pointer + range.lowerBound, range.count, stepSize, inverseRoot2)
    }
  }

  /// Step `step`'s bias-corrected step size α/(1 − β₁ᵗ) and 1/√(1 − β₂ᵗ), computed in
  /// `Double` once per step.
  static func constants(learningRate: Double, step: Int) -> (stepSize: Float, inverseRoot2: Float) {
    let t = Double(step)
    let correction1 = 1 - pow(beta1, t)
    let correction2 = 1 - pow(beta2, t)
    return (Float(learningRate / correction1), Float(1 / correction2.squareRoot()))
  }

  /// Moments below this magnitude are set to 0. A parameter whose gradient is exactly 0 for
  /// many steps (a weight on an always-zero pixel) has m shrinking by β₁ each step into the
  /// subnormal range, where x86 arithmetic is ~100× slower; its contribution α·m/(√v + ε)
  /// is then below 1e-20 and dropping it changes no parameter by a representable amount.
  public static let flushThreshold: Float = 1e-30

  @inline(__always)
  static func kernel(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
    _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ n: Int,
    _ stepSize: Float, _ inverseRoot2: Float
  ) {
    let (b1, b2) = (Float(beta1), Float(beta2))
    let (c1, c2) = (Float(1 - beta1), Float(1 - beta2))
    let (eps, tiny) = (epsilon, flushThreshold)
    for i in 0..<n {
      let gi = g[i]
      var mi = b1 * m[i] + c1 * gi
      var vi = b2 * v[i] + c2 * (gi * gi)
      mi = mi < tiny && mi > -tiny ? 0 : mi
      vi = vi < tiny ? 0 : vi
      m[i] = mi
      v[i] = vi
      // `v ≥ 0`, so `.magnitude` changes nothing, but it lets the compiler drop the errno
      // branch that `sqrtf` carries on Linux, and the loop vectorizes (sqrtps/divps).
      p[i] -= stepSize * mi / (vi.magnitude.squareRoot() * inverseRoot2 + eps)
    }
  }
}
