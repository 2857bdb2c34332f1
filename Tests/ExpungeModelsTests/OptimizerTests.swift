import ExpungeCore
import ExpungeModels
import Foundation
import Testing

/// Optimizer steps against the published update rules, computed by hand in `Double`.
@Suite("Optimizers")
struct OptimizerTests {
  /// Ten parameters, so a vectorized loop also runs its scalar tail.
  static let theta0: [Float] = [0.5, -1.25, 3, 0, 1e-3, -2, 7, 0.25, -0.5, 1]
  static let gradients: [[Float]] = [
    [0.1, -0.2, 0.3, 0, 5, -1e-3, 0.7, -0.8, 0.9, 2],
    [-0.3, 0.1, 0.2, 0, 4, 1e-3, -0.7, 0.8, 0.1, -2],
    [0.05, 0.05, -0.5, 0, 3, 2e-3, 0.1, 0.1, -0.9, 0.5],
  ]

  @Test("Adam: three steps equal Kingma & Ba's bias-corrected update")
  func adam() {
    let lr = 0.01
    var theta = Self.theta0
    var state = OptimizerState(kind: .adam, parameterCount: theta.count)
    var p = Self.theta0.map(Double.init)
    var m = [Double](repeating: 0, count: p.count)
    var v = [Double](repeating: 0, count: p.count)
    for (t, g) in Self.gradients.enumerated() {
      state.apply(gradients: g, to: &theta, learningRate: lr)
      let step = Double(t + 1)
      for i in 0..<p.count {
        let gi = Double(g[i])
        m[i] = 0.9 * m[i] + 0.1 * gi
        v[i] = 0.999 * v[i] + 0.001 * gi * gi
        let mHat = m[i] / (1 - pow(0.9, step))
        let vHat = v[i] / (1 - pow(0.999, step))
        p[i] -= lr * mHat / (vHat.squareRoot() + 1e-8)
      }
      #expect(state.step == t + 1)
      for i in 0..<p.count {
        #expect(abs(Double(theta[i]) - p[i]) <= 1e-6 * max(1, abs(p[i])), "step \(t + 1), θ[\(i)]")
        #expect(abs(Double(state.firstMoment[i]) - m[i]) <= 1e-6)
        #expect(abs(Double(state.secondMoment[i]) - v[i]) <= 1e-6 * max(1e-6, v[i]))
      }
    }
    // A zero gradient leaves its parameter unchanged.
    #expect(theta[3] == 0)
  }

  @Test("SGD with momentum: u ← μu + g, θ ← θ − αu", arguments: [0.0, 0.9])
  func sgd(momentum: Double) {
    let lr = 0.05
    var theta = Self.theta0
    var state = OptimizerState(kind: .sgd, parameterCount: theta.count)
    #expect(state.secondMoment.isEmpty)
    var p = Self.theta0.map(Double.init)
    var u = [Double](repeating: 0, count: p.count)
    for g in Self.gradients {
      state.apply(gradients: g, to: &theta, learningRate: lr, momentum: momentum)
      for i in 0..<p.count {
        u[i] = momentum * u[i] + Double(g[i])
        p[i] -= lr * u[i]
      }
    }
    for i in 0..<p.count {
      #expect(abs(Double(theta[i]) - p[i]) <= 1e-6 * max(1, abs(p[i])))
      #expect(abs(Double(state.firstMoment[i]) - u[i]) <= 1e-6 * max(1, abs(u[i])))
    }
  }

  @Test("the state survives a round trip through named tensors", arguments: OptimizerKind.allCases)
  func roundTrip(kind: OptimizerKind) throws {
    var theta = Self.theta0
    var state = OptimizerState(kind: kind, parameterCount: theta.count)
    state.apply(gradients: Self.gradients[0], to: &theta, learningRate: 0.01)
    let buffer = state.asParameterBuffer()
    #expect(
      buffer.views.map(\.name)
        == (kind == .adam ? ["first_moment", "second_moment"] : ["first_moment"]))
    let restored = try OptimizerState(
      kind: kind, step: state.step, buffer: buffer, parameterCount: theta.count)
    #expect(restored == state)
    #expect(
      throws: ModelError.layoutMismatch(
        name: "first_moment", expectedShape: [11], actualShape: [10])
    ) {
      try OptimizerState(kind: kind, step: 1, buffer: buffer, parameterCount: 11)
    }
  }

  @Test("Adam flushes subnormal moments to zero (no slow subnormal arithmetic)")
  func flush() {
    var theta: [Float] = [1, 1]
    var state = OptimizerState(
      kind: .adam, step: 10, firstMoment: [1e-31, 1e-3], secondMoment: [1e-31, 1e-6])
    state.apply(gradients: [0, 0], to: &theta, learningRate: 0.1)
    #expect(state.firstMoment[0] == 0 && state.secondMoment[0] == 0)
    #expect(theta[0] == 1)
    #expect(state.firstMoment[1] == Float(0.9) * 1e-3)
  }
}
