import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// Whole-network derivatives against an independent double-precision reference.
///
/// Step and tolerance: the reference loss is evaluated in `Double` (rounding ≈ 1e-16), so a
/// central difference with step h = 1e-5 has rounding error ≈ 1e-16/h = 1e-11 and truncation
/// error ≈ h²·|ℓ‴|/6 ≈ 1e-11: the reference is good to ~1e-10. The library computes in
/// `Float` (unit roundoff 6e-8, a few dozen terms per sum), so we allow
/// |g − g_ref| ≤ 1e-5 + 1e-4·|g_ref|. ReLU kinks are avoided, not tolerated: every test
/// first requires that no hidden pre-activation is within 5e-4 of 0 on the data, ten times
/// what a parameter step of 1e-5 can move one (≤ 1e-5 · max|input| · max|weight| ≈ 5e-5).
@Suite("MLP derivatives")
struct MLPGradientTests {
  static let data = MLPFixtures.blobs(n: 16, d: 5, k: 3, separation: 1, seed: 11)

  /// A freshly initialized network whose biases are also random (U(−0.5, 0.5)): with the
  /// zero initial biases a unit whose inputs are all dead ReLUs sits exactly on a kink.
  static func model(_ activation: Activation, seed: UInt64 = 3) throws -> MLP {
    let model = try MLP(
      config: MLPFixtures.config(hidden: [6, 4], activation: activation, seed: seed),
      featureCount: 5, classCount: 3)
    var values = model.parameters.values
    var rng = SeededGenerator(seed: seed &+ 1000)
    for view in model.parameters.views where view.name.hasSuffix("bias") {
      for i in view.range { values[i] = rng.nextFloat() - 0.5 }
    }
    return model.withParameterValues(values)
  }

  /// Requires the data to stay clear of ReLU kinks (tanh is smooth everywhere).
  static func requireNoKinks(_ model: MLP, margin: Double) throws {
    guard model.config.activation == .relu else { return }
    let theta = model.parameters.values.map(Double.init)
    try #require(ReferenceMLP(model).minAbsPreActivation(theta, data: data) > margin)
  }

  @Test(
    "gradient matches central differences of a Double reference", arguments: Activation.allCases)
  func gradientCheck(activation: Activation) throws {
    let model = try Self.model(activation)
    let reference = ReferenceMLP(model)
    let theta = model.parameters.values.map(Double.init)
    try Self.requireNoKinks(model, margin: 5e-4)
    let numerical = reference.numericalGradient(theta, data: Self.data, h: 1e-5)
    let analytic = model.gradient(Self.data.features, labels: Self.data.labels)
    var maxDiff = 0.0
    for i in 0..<numerical.count {
      let diff = abs(Double(analytic[i]) - numerical[i])
      maxDiff = max(maxDiff, diff)
      #expect(
        diff <= 1e-5 + 1e-4 * abs(numerical[i]),
        "coordinate \(i): \(analytic[i]) vs \(numerical[i])")
    }
    print(
      "MLP gradient (\(activation)): max |g − g_ref| = \(maxDiff) over \(numerical.count) parameters"
    )
    // The check must not pass vacuously.
    #expect(numerical.map(abs).max()! > 1e-2)
  }

  @Test(
    "loss, per-row losses and probabilities match the reference", arguments: Activation.allCases)
  func lossMatchesReference(activation: Activation) throws {
    let model = try Self.model(activation)
    let reference = ReferenceMLP(model)
    let theta = model.parameters.values.map(Double.init)
    let expected = reference.meanLoss(theta, data: Self.data)
    #expect(abs(model.meanLoss(Self.data.features, labels: Self.data.labels) - expected) < 1e-5)
    let losses = model.perSampleLosses(Self.data.features, labels: Self.data.labels)
    #expect(abs(losses.map(Double.init).reduce(0, +) / 16 - expected) < 1e-5)
    let p = model.predictProbabilities(Self.data.features)
    for r in 0..<16 {
      let z = reference.logits(theta, row: Self.data.features.row(r).map(Double.init)).logits
      let m = z.max()!
      let e = z.map { Foundation.exp($0 - m) }
      let s = e.reduce(0, +)
      for c in 0..<3 { #expect(abs(Double(p[r, c]) - e[c] / s) < 1e-6) }
      #expect(abs(Double(losses[r]) - (Foundation.log(s) + m - z[Int(Self.data.labels[r])])) < 1e-5)
    }
  }

  @Test("no hidden layers (softmax regression): gradient and HVP match the reference")
  func noHiddenLayers() throws {
    let model = try MLP(
      config: MLPFixtures.config(hidden: [], seed: 4), featureCount: 5, classCount: 3)
    let reference = ReferenceMLP(model)
    let theta = model.parameters.values.map(Double.init)
    let numerical = reference.numericalGradient(theta, data: Self.data, h: 1e-5)
    let analytic = model.gradient(Self.data.features, labels: Self.data.labels)
    for (a, e) in zip(analytic, numerical) { #expect(abs(Double(a) - e) <= 1e-5 + 1e-4 * abs(e)) }
    var rng = SeededGenerator(seed: 3)
    let v = rng.uniforms(theta.count, low: -1, high: 1)
    let eps = 1e-4
    let up = reference.numericalGradient(
      zip(theta, v).map { $0 + eps * Double($1) }, data: Self.data, h: 1e-5)
    let down = reference.numericalGradient(
      zip(theta, v).map { $0 - eps * Double($1) }, data: Self.data, h: 1e-5)
    let hv = model.hessianVectorProduct(Self.data.features, labels: Self.data.labels, vector: v)
    for i in 0..<hv.count {
      let e = (up[i] - down[i]) / (2 * eps)
      #expect(abs(Double(hv[i]) - e) <= 1e-4 + 1e-3 * abs(e))
    }
  }

  @Test("weight decay adds λw to weights only")
  func weightDecayGradient() throws {
    let model = try Self.model(.tanh)
    let plain = model.gradient(Self.data.features, labels: Self.data.labels)
    let decayed = model.gradient(Self.data.features, labels: Self.data.labels, weightDecay: 0.5)
    let weight = Set(model.weightRanges.flatMap { Array($0) })
    for i in 0..<plain.count {
      let expected = plain[i] + (weight.contains(i) ? 0.5 * model.parameters.values[i] : 0)
      #expect(abs(decayed[i] - expected) <= 1e-7 * max(1, abs(expected)))
    }
    #expect(weight.count == 5 * 6 + 6 * 4 + 4 * 3)
  }

  @Test(
    "Hessian-vector product matches differences of reference gradients",
    arguments: Activation.allCases)
  func hessianVectorProduct(activation: Activation) throws {
    // Reference: Hv ≈ (g(θ + εv) − g(θ − εv)) / 2ε with ε = 1e-4 and g itself the Double
    // central difference above (h = 1e-5); its noise is ≈ 1e-11/ε = 1e-7, its truncation
    // ≈ ε² — so we allow the Float result |Hv − ref| ≤ 1e-4 + 1e-3·|ref|.
    let model = try Self.model(activation, seed: 5)
    let reference = ReferenceMLP(model)
    let theta = model.parameters.values.map(Double.init)
    try Self.requireNoKinks(model, margin: 1e-2)
    var rng = SeededGenerator(seed: 99)
    let v = rng.uniforms(theta.count, low: -1, high: 1)
    let eps = 1e-4
    let up = reference.numericalGradient(
      zip(theta, v).map { $0 + eps * Double($1) }, data: Self.data, h: 1e-5)
    let down = reference.numericalGradient(
      zip(theta, v).map { $0 - eps * Double($1) }, data: Self.data, h: 1e-5)
    let expected = zip(up, down).map { ($0 - $1) / (2 * eps) }
    let hv = model.hessianVectorProduct(Self.data.features, labels: Self.data.labels, vector: v)
    var maxDiff = 0.0
    for i in 0..<hv.count {
      let diff = abs(Double(hv[i]) - expected[i])
      maxDiff = max(maxDiff, diff)
      #expect(diff <= 1e-4 + 1e-3 * abs(expected[i]), "coordinate \(i): \(hv[i]) vs \(expected[i])")
    }
    print(
      "MLP HVP (\(activation)): max |Hv − ref| = \(maxDiff), max |ref| = \(expected.map(abs).max()!)"
    )
    #expect(expected.map(abs).max()! > 1e-2)
  }

  @Test("Hessian-vector product matches differences of the model's own gradients")
  func hessianVectorProductAgainstFloatGradients() throws {
    // In Float the gradient carries ≈ 1e-7 relative noise, so the step is larger
    // (ε = 1e-2 / max|v|) and the tolerance is 1 % of max|Hv|.
    let model = try Self.model(.tanh, seed: 8)
    var rng = SeededGenerator(seed: 4)
    let v = rng.uniforms(model.parameters.count, low: -1, high: 1)
    let eps: Float = 1e-2
    let theta = model.parameters.values
    let gUp = model.withParameterValues(zip(theta, v).map { $0 + eps * $1 })
      .gradient(Self.data.features, labels: Self.data.labels)
    let gDown = model.withParameterValues(zip(theta, v).map { $0 - eps * $1 })
      .gradient(Self.data.features, labels: Self.data.labels)
    let hv = model.hessianVectorProduct(Self.data.features, labels: Self.data.labels, vector: v)
    let scale = hv.map(abs).max()!
    for i in 0..<hv.count {
      #expect(abs(hv[i] - (gUp[i] - gDown[i]) / (2 * eps)) <= 1e-2 * scale)
    }
  }

  @Test("the Hessian is symmetric: wᵀ(Hv) = vᵀ(Hw)", arguments: Activation.allCases)
  func hessianSymmetry(activation: Activation) throws {
    let model = try Self.model(activation, seed: 6)
    var rng = SeededGenerator(seed: 12)
    let v = rng.uniforms(model.parameters.count, low: -1, high: 1)
    let w = rng.uniforms(model.parameters.count, low: -1, high: 1)
    let x = Self.data.features
    let hv = model.hessianVectorProduct(x, labels: Self.data.labels, vector: v, weightDecay: 0.1)
    let hw = model.hessianVectorProduct(x, labels: Self.data.labels, vector: w, weightDecay: 0.1)
    let a = zip(w, hv).map { Double($0) * Double($1) }.reduce(0, +)
    let b = zip(v, hw).map { Double($0) * Double($1) }.reduce(0, +)
    #expect(abs(a - b) <= 1e-4 * max(abs(a), 1), "wᵀHv = \(a), vᵀHw = \(b)")
  }

  @Test("chunked gradient, HVP and probabilities over > 1 024 rows equal the row-weighted parts")
  func chunking() throws {
    let data = MLPFixtures.blobs(n: 2_500, d: 5, k: 3, seed: 2)
    let model = try Self.model(.tanh)
    let parts = [0..<1_000, 1_000..<2_500]
    let g = model.gradient(data.features, labels: data.labels)
    var rng = SeededGenerator(seed: 1)
    let v = rng.uniforms(model.parameters.count, low: -1, high: 1)
    let hv = model.hessianVectorProduct(data.features, labels: data.labels, vector: v)
    var gParts = [Float](repeating: 0, count: g.count)
    var hvParts = [Float](repeating: 0, count: g.count)
    for range in parts {
      let sub = data.subset(range)
      let w = Float(range.count) / 2_500
      let gs = model.gradient(sub.features, labels: sub.labels)
      let hs = model.hessianVectorProduct(sub.features, labels: sub.labels, vector: v)
      for i in 0..<g.count {
        gParts[i] += w * gs[i]
        hvParts[i] += w * hs[i]
      }
    }
    let gScale = g.map(abs).max()!
    let hScale = hv.map(abs).max()!
    for i in 0..<g.count {
      #expect(abs(g[i] - gParts[i]) <= 1e-5 * gScale)
      #expect(abs(hv[i] - hvParts[i]) <= 1e-5 * hScale)
    }
    let p = model.predictProbabilities(data.features)
    let tail = model.predictProbabilities(data.subset(2_000..<2_500).features)
    for r in 0..<500 {
      for c in 0..<3 { #expect(abs(p[2_000 + r, c] - tail[r, c]) <= 1e-6) }
    }
  }
}
