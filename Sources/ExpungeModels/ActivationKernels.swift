#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Hidden-layer nonlinearities as forward/backward kernels over raw buffers (llm.c style).
///
/// The forward pass keeps only the activation *output* `a = f(z)`, because both derivatives
/// can be written in terms of it, so the pre-activation `z` never needs to be stored:
///
///     ReLU:  a = max(z, 0)    f′(z) = [a > 0]     f″(z) = 0 (almost everywhere)
///     tanh:  a = tanh z       f′(z) = 1 − a²      f″(z) = −2a(1 − a²)
///
/// At the ReLU kink `z = 0` the subgradient 0 is used (as PyTorch does).
public enum ActivationKernels {
  /// Fused bias add and activation, in place: `y[r, c] ← f(y[r, c] + bias[c])`.
  ///
  /// - Parameters:
  ///   - y: `(rows, cols)` pre-activations without bias on entry, activations on exit.
  ///   - bias: `(cols)`.
  ///   - activation: `f`; `nil` adds the bias only (the output layer).
  /// - Complexity: O(rows · cols), one pass over `y`.
  @inlinable
  public static func biasActivationForward(
    _ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, cols: Int,
    activation: Activation?
  ) {
    biasActivationForward(
      y, bias: bias, rows: 0..<rows, columns: 0..<cols, stride: cols, activation: activation)
  }

  /// The same on the block `rows × columns` of a buffer whose rows are `stride` apart (one
  /// tile of a split product).
  @inlinable
  public static func biasActivationForward(
    _ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Range<Int>,
    columns: Range<Int>, stride: Int, activation: Activation?
  ) {
    let b = bias + columns.lowerBound
    let n = columns.count
    switch activation {
    case .relu?:
      for r in rows {
        let row = y + r * stride + columns.lowerBound
        for c in 0..<n {
          let z = row[c] + b[c]
          row[c] = z > 0 ? z : 0
        }
      }
    case .tanh?:
      for r in rows {
        let row = y + r * stride + columns.lowerBound
        for c in 0..<n { row[c] = tanhf(row[c] + b[c]) }
      }
    case nil:
      for r in rows {
        let row = y + r * stride + columns.lowerBound
        for c in 0..<n { row[c] += b[c] }
      }
    }
  }

  /// Activation backward, in place: `d[i] ← d[i] · f′(z[i])`, with `f′` computed from the
  /// stored output `a = f(z)`.
  ///
  /// - Parameters:
  ///   - d: `(count)` gradient w.r.t. the activation output on entry, w.r.t. its input on exit.
  ///   - output: `(count)` the forward pass's `a`.
  /// - Complexity: O(count).
  @inlinable
  public static func backward(
    _ d: UnsafeMutablePointer<Float>, output a: UnsafePointer<Float>, count: Int,
    activation: Activation
  ) {
    switch activation {
    case .relu:
      for i in 0..<count {
        let x = d[i]  // an unconditional load, so the select vectorizes
        d[i] = a[i] > 0 ? x : 0
      }
    case .tanh:
      for i in 0..<count { d[i] *= 1 - a[i] * a[i] }
    }
  }

  /// `f′(z)` from the output `a = f(z)` (see the type's table).
  @inlinable
  public static func derivative(output a: Float, activation: Activation) -> Float {
    switch activation {
    case .relu: a > 0 ? 1 : 0
    case .tanh: 1 - a * a
    }
  }

  /// `f″(z)` from the output `a = f(z)`: 0 for ReLU, `−2a(1 − a²)` for tanh.
  @inlinable
  public static func secondDerivative(output a: Float, activation: Activation) -> Float {
    switch activation {
    case .relu: 0
    case .tanh: -2 * a * (1 - a * a)
    }
  }
}
