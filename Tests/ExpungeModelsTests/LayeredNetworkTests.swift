import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// What the approximate unlearning methods build on: whole-network gradients (toward
/// labels, soft targets and a teacher; weighted, negatively too; with respect to the
/// inputs), masked optimizer steps and the Fisher diagonal.
@Suite("Layered network")
struct LayeredNetworkTests {
  /// 6×6 single-channel images, 3 classes: conv 3 filters 3×3 → pool 2 → relu → dense 5
  /// (tanh) → dense 3 (the CNN's own construction).
  static func network(seed: UInt64 = 2) throws -> CNN {
    var c = CNNConfig()
    c.layers = [.convolution(filters: 3, kernelSize: 3), .maxPool(size: 2), .dense(units: 5)]
    c.seed = seed
    return try CNN(config: c, featureCount: 36, classCount: 3)
  }

  static func inputs(rows: Int, seed: UInt64 = 4) -> Matrix {
    var rng = SeededGenerator(seed: seed)
    return Matrix(rows: rows, cols: 36, storage: rng.uniforms(rows * 36, low: -1, high: 1))
  }

  static let labels: [Int32] = [0, 2, 1, 1, 0]

  static func softTargets(rows: Int) -> Matrix {
    var rng = SeededGenerator(seed: 9)
    var t = Matrix(rows: rows, cols: 3, storage: rng.uniforms(rows * 3, low: 0.1, high: 1))
    for r in 0..<rows {
      let s = (0..<3).reduce(Float(0)) { $0 + t[r, $1] }
      for c in 0..<3 { t[r, c] /= s }
    }
    return t
  }

  /// `(L(θ + h eⱼ) − L(θ − h eⱼ)) / 2h` of the mean per-example loss, for a few j.
  static func expectGradientMatchesDifferences(
    _ net: LayeredNetwork, _ x: Matrix, targets: SoftmaxTargets, weights: [Float]? = nil,
    label: String
  ) {
    let (_, g) = net.lossAndGradient(x, targets: targets, rowWeights: weights)
    func loss(_ values: [Float]) -> Double {
      let losses = net.withParameterValues(values).perExampleLosses(x, targets: targets)
      let w = weights ?? [Float](repeating: 1, count: x.rows)
      return zip(losses, w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / Double(x.rows)
    }
    let h: Float = 1e-3
    var worst = 0.0
    for j in stride(from: 0, to: g.count, by: 7) {
      var plus = net.parameters.values
      var minus = plus
      plus[j] += h
      minus[j] -= h
      let fd = (loss(plus) - loss(minus)) / Double(2 * h)
      worst = max(worst, abs(Double(g[j]) - fd) / max(1e-2, abs(fd)))
    }
    #expect(worst < 3e-2, "\(label): worst relative gradient error \(worst)")
  }

  @Test func networkGradientMatchesFiniteDifferences() throws {
    let net = try Self.network().network
    Self.expectGradientMatchesDifferences(
      net, Self.inputs(rows: 5), targets: .labels(Self.labels), label: "labels")
  }

  @Test func softTargetAndTeacherGradientsMatchFiniteDifferences() throws {
    let net = try Self.network().network
    let x = Self.inputs(rows: 5)
    let t = Self.softTargets(rows: 5)
    Self.expectGradientMatchesDifferences(
      net, x, targets: .distributions(t), label: "soft targets")
    Self.expectGradientMatchesDifferences(net, x, targets: .teacher(t), label: "teacher")
    // KL to oneself is 0 with a zero gradient; soft and teacher differ by the entropy only.
    let own = net.probabilities(x)
    let (kl, g) = net.lossAndGradient(x, targets: .teacher(own))
    #expect(abs(kl) < 1e-5 && g.allSatisfy { abs($0) < 1e-5 })
    let ce = net.perExampleLosses(x, targets: .distributions(t))
    let klRows = net.perExampleLosses(x, targets: .teacher(t))
    for r in 0..<5 {
      let entropy = (0..<3).reduce(Float(0)) { $0 - t[r, $1] * log(t[r, $1]) }
      #expect(abs(ce[r] - klRows[r] - entropy) < 1e-5)
    }
    // One-hot soft targets are the labels.
    var onehot = Matrix(rows: 5, cols: 3)
    for (r, y) in Self.labels.enumerated() { onehot[r, Int(y)] = 1 }
    #expect(
      net.perExampleLosses(x, targets: .distributions(onehot))
        == net.perExampleLosses(x, targets: .labels(Self.labels)))
  }

  /// The weighted gradient is the weighted sum of one-row gradients; a negative weight
  /// ascends its row's loss.
  @Test func rowWeightsAndNegativeWeightsCombineOneRowGradients() throws {
    let net = try Self.network().network
    let x = Self.inputs(rows: 5)
    let weights: [Float] = [1, -1, 0.5, 0, 2]
    Self.expectGradientMatchesDifferences(
      net, x, targets: .labels(Self.labels), weights: weights, label: "weighted")
    let (_, g) = net.lossAndGradient(x, targets: .labels(Self.labels), rowWeights: weights)
    var combined = [Double](repeating: 0, count: g.count)
    for r in 0..<5 {
      let (_, gr) = net.lossAndGradient(x.rows(r..<(r + 1)), targets: .labels([Self.labels[r]]))
      for j in 0..<g.count { combined[j] += Double(weights[r]) * Double(gr[j]) / 5 }
    }
    let worst = zip(g, combined).map { abs(Double($0) - $1) }.max()!
    #expect(worst < 1e-6, "weighted gradient vs the sum of row gradients: \(worst)")
    // Gradient ascent on one row is the negated descent gradient.
    let one = x.rows(1..<2)
    let (_, down) = net.lossAndGradient(one, targets: .labels([2]))
    let (_, up) = net.lossAndGradient(one, targets: .labels([2]), rowWeights: [-1])
    #expect(zip(down, up).allSatisfy { $0 == -$1 })
  }

  @Test func inputGradientsMatchFiniteDifferences() throws {
    let net = try Self.network().network
    let x = Self.inputs(rows: 3)
    let labels: [Int32] = [1, 0, 2]
    let dx = net.inputGradients(x, targets: .labels(labels))
    let h: Float = 1e-3
    var worst = 0.0
    for r in 0..<3 {
      for j in stride(from: r, to: 36, by: 5) {
        var plus = x
        var minus = x
        plus[r, j] += h
        minus[r, j] -= h
        let lp = net.perExampleLosses(plus, targets: .labels(labels))[r]
        let lm = net.perExampleLosses(minus, targets: .labels(labels))[r]
        let fd = (Double(lp) - Double(lm)) / Double(2 * h)
        worst = max(worst, abs(Double(dx[r, j]) - fd) / max(1e-2, abs(fd)))
      }
    }
    #expect(worst < 3e-2, "worst relative input-gradient error \(worst)")
  }

  /// A masked-out weight keeps its value and zero moments through Adam with weight decay
  /// and through SGD with momentum, while the trainable ones move.
  @Test(arguments: [OptimizerKind.adam, .sgd])
  func maskedWeightsHoldThroughTheOptimizer(_ kind: OptimizerKind) throws {
    var net = try Self.network().network
    let start = net.parameters.values
    var trainable = [Bool](repeating: true, count: start.count)
    for j in stride(from: 0, to: start.count, by: 3) { trainable[j] = false }
    let mask = ParameterMask(trainable: trainable)
    var state = OptimizerState(kind: kind, parameterCount: start.count)
    let settings = TrainingSettings(
      batchSize: 5, learningRate: kind == .adam ? 1e-2 : 0.1, momentum: 0.9, weightDecay: 0.1)
    let x = Self.inputs(rows: 5)
    for step in 0..<6 {
      // Alternate targets so momentum has something to carry.
      let targets: SoftmaxTargets =
        step % 2 == 0 ? .labels(Self.labels) : .distributions(Self.softTargets(rows: 5))
      net.step(x, targets: targets, optimizerState: &state, settings: settings, mask: mask)
    }
    var moved = 0
    for j in 0..<start.count {
      if trainable[j] {
        if net.parameters.values[j] != start[j] { moved += 1 }
      } else {
        #expect(net.parameters.values[j].bitPattern == start[j].bitPattern, "masked \(j) moved")
        #expect(state.firstMoment[j] == 0, "masked \(j) has momentum")
        if kind == .adam { #expect(state.secondMoment[j] == 0) }
      }
    }
    #expect(moved > trainable.filter { $0 }.count / 2, "only \(moved) trainable entries moved")
    #expect(state.step == 6)
  }

  /// The same steps without a mask equal a mask of all true, bit for bit.
  @Test func anAllTrueMaskChangesNothing() throws {
    var a = try Self.network().network
    var b = a
    var sa = OptimizerState(kind: .adam, parameterCount: a.parameters.count)
    var sb = sa
    let settings = TrainingSettings(batchSize: 5, learningRate: 1e-2, weightDecay: 1e-2)
    let x = Self.inputs(rows: 5)
    let all = ParameterMask(trainable: [Bool](repeating: true, count: a.parameters.count))
    for _ in 0..<3 {
      a.step(x, targets: .labels(Self.labels), optimizerState: &sa, settings: settings)
      b.step(x, targets: .labels(Self.labels), optimizerState: &sb, settings: settings, mask: all)
    }
    #expect(a.parameters.values.map(\.bitPattern) == b.parameters.values.map(\.bitPattern))
    #expect(sa == sb)
  }

  /// F = mean of squared per-example gradients, each example's gradient computed alone.
  @Test(arguments: [1, 2, 64])
  func fisherDiagonalIsTheMeanSquaredPerExampleGradient(batchSize: Int) throws {
    let net = try Self.network().network
    let x = Self.inputs(rows: 5)
    let fisher = net.fisherDiagonal(x, targets: .labels(Self.labels), batchSize: batchSize)
    var expected = [Double](repeating: 0, count: fisher.count)
    for r in 0..<5 {
      let (_, g) = net.lossAndGradient(x.rows(r..<(r + 1)), targets: .labels([Self.labels[r]]))
      for j in 0..<g.count { expected[j] += Double(g[j]) * Double(g[j]) / 5 }
    }
    let worst = zip(fisher, expected).map { abs(Double($0) - $1) / max(1e-6, $1) }.max()!
    #expect(worst < 1e-4, "Fisher diagonal vs one-by-one squares: worst relative error \(worst)")
    #expect(fisher.contains { $0 > 0 })
  }
}
