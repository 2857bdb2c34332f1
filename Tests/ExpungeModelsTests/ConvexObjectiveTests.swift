import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// Loss, gradient, Hessian and Hessian-vector product of the convex models against an
/// independent double-precision reference written from the definitions in the doc comments.
///
/// Steps and tolerances: the reference loss is computed in `Double`, so central differences
/// with h = 1e-5 are good to ~1e-10 (rounding 1e-16/h, truncation h²·|L‴|). The library
/// evaluates scores in `Float` (unit roundoff 6e-8), so we allow |g − g_ref| ≤ 1e-5 + 1e-4·|g_ref|
/// for gradients and the same for Hessian entries.
@Suite("Convex objectives")
struct ConvexObjectiveTests {
  static let data = MLPFixtures.blobs(n: 24, d: 4, k: 3, separation: 1.5, seed: 5)
  static let binary = MLPFixtures.blobs(n: 20, d: 3, k: 2, separation: 1, seed: 6)
  static let l2 = 0.05

  /// The softmax objective from its definition, in Double: θ = [b (K), W (K × d)].
  static func softmaxReference(_ theta: [Double], _ data: Dataset, weights: [Double]? = nil)
    -> Double
  {
    let (k, d) = (data.classCount, data.featureCount)
    var loss = 0.0
    var total = 0.0
    for i in 0..<data.count {
      let c = weights?[i] ?? 1
      var z = (0..<k).map { theta[$0] }
      for cl in 0..<k {
        for j in 0..<d { z[cl] += theta[k + cl * d + j] * Double(data.features[i, j]) }
      }
      let m = z.max()!
      let logSum = m + log(z.map { exp($0 - m) }.reduce(0, +))
      loss += c * (logSum - z[Int(data.labels[i])])
      total += c
    }
    let penalty = theta[k...].reduce(0) { $0 + $1 * $1 }
    // The term that pins the intercepts' flat direction (μ = 1): zero at Σ_c b_c = 0.
    let interceptSum = theta[0..<k].reduce(0, +)
    return loss / total + 0.5 * l2 * penalty + 0.5 * interceptSum * interceptSum
  }

  /// The logistic objective from its definition, in Double: θ = [b, w].
  static func logisticReference(_ theta: [Double], _ data: Dataset) -> Double {
    var loss = 0.0
    for i in 0..<data.count {
      var z = theta[0]
      for j in 0..<data.featureCount { z += theta[1 + j] * Double(data.features[i, j]) }
      let sign = data.labels[i] == 1 ? 1.0 : -1.0
      loss += log1p(exp(-sign * z))
    }
    return loss / Double(data.count) + 0.5 * l2 * theta[1...].reduce(0) { $0 + $1 * $1 }
  }

  static func centralDifference(_ f: ([Double]) -> Double, at theta: [Double], h: Double = 1e-5)
    -> [Double]
  {
    (0..<theta.count).map { i in
      var plus = theta
      var minus = theta
      plus[i] += h
      minus[i] -= h
      return (f(plus) - f(minus)) / (2 * h)
    }
  }

  static func randomTheta(_ count: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in 0.5 * rng.nextNormal() }
  }

  static func expectClose(_ a: [Double], _ b: [Double], _ what: String) {
    #expect(a.count == b.count)
    for i in 0..<min(a.count, b.count) {
      #expect(abs(a[i] - b[i]) <= 1e-5 + 1e-4 * abs(b[i]), "\(what)[\(i)]: \(a[i]) vs \(b[i])")
    }
  }

  @Test func softmaxValueAndGradientMatchTheDefinition() {
    let objective = SoftmaxObjective(
      data: Self.data, classCount: 3, l2: Self.l2, fitIntercept: true)
    let theta = Self.randomTheta(objective.parameterCount, seed: 1)
    let (value, gradient) = objective.valueAndGradient(theta, rowWeights: nil)
    let reference = { Self.softmaxReference($0, Self.data) }
    #expect(abs(value - reference(theta)) < 1e-6)
    Self.expectClose(gradient, Self.centralDifference(reference, at: theta), "∇L")
  }

  /// Row weights are how removal evaluates "the data without F": weight 0 must equal deletion.
  @Test func softmaxRowWeightsEqualReweightedData() {
    let objective = SoftmaxObjective(
      data: Self.data, classCount: 3, l2: Self.l2, fitIntercept: true)
    let theta = Self.randomTheta(objective.parameterCount, seed: 2)
    let weights: [Float] = (0..<Self.data.count).map { $0 % 5 == 0 ? 0 : ($0 % 2 == 0 ? 2 : 1) }
    let (value, gradient) = objective.valueAndGradient(theta, rowWeights: weights)
    let reference = { Self.softmaxReference($0, Self.data, weights: weights.map(Double.init)) }
    #expect(abs(value - reference(theta)) < 1e-6)
    Self.expectClose(gradient, Self.centralDifference(reference, at: theta), "weighted ∇L")
    let kept = Self.data.subset((0..<Self.data.count).filter { weights[$0] == 1 })
    let onKept = SoftmaxObjective(data: kept, classCount: 3, l2: Self.l2, fitIntercept: true)
    let ones = objective.valueAndGradient(
      theta, rowWeights: weights.map { $0 == 1 ? 1 : 0 })
    #expect(abs(ones.value - onKept.value(theta)) < 1e-6)
  }

  @Test func softmaxHessianAndHVPAreDerivativesOfTheGradient() {
    let objective = SoftmaxObjective(
      data: Self.data, classCount: 3, l2: Self.l2, fitIntercept: true)
    let theta = Self.randomTheta(objective.parameterCount, seed: 3)
    let p = objective.parameterCount
    let hessian = objective.hessian(theta, rowWeights: nil)
    // Column j of the Hessian is ∂∇L/∂θⱼ; the reference gradient is the FD-checked one above,
    // differentiated again through the Double reference (second differences, h = 1e-4).
    let reference = { Self.softmaxReference($0, Self.data) }
    for j in 0..<p {
      let column = Self.centralDifference(
        { t in
          var plus = t
          var minus = t
          plus[j] += 1e-4
          minus[j] -= 1e-4
          return (reference(plus) - reference(minus)) / 2e-4
        }, at: theta, h: 1e-4)
      for i in 0..<p {
        #expect(
          abs(hessian[i * p + j] - column[i]) <= 1e-4 + 1e-3 * abs(column[i]),
          "H[\(i),\(j)] = \(hessian[i * p + j]) vs \(column[i])")
        #expect(hessian[i * p + j] == hessian[j * p + i], "H must be exactly symmetric")
      }
    }
    let v = Self.randomTheta(p, seed: 4)
    let hv = objective.hessianVectorProduct(theta, v, rowWeights: nil)
    let dense = (0..<p).map { i in (0..<p).reduce(0.0) { $0 + hessian[i * p + $1] * v[$1] } }
    Self.expectClose(hv, dense, "H·v")
  }

  @Test func logisticDerivativesMatchTheDefinition() {
    let objective = LogisticObjective(data: Self.binary, l2: Self.l2, fitIntercept: true)
    let theta = Self.randomTheta(objective.parameterCount, seed: 5)
    let reference = { Self.logisticReference($0, Self.binary) }
    let (value, gradient) = objective.valueAndGradient(theta, rowWeights: nil)
    #expect(abs(value - reference(theta)) < 1e-6)
    Self.expectClose(gradient, Self.centralDifference(reference, at: theta), "∇L")
    let p = objective.parameterCount
    let hessian = objective.hessian(theta, rowWeights: nil)
    for j in 0..<p {
      var plus = theta
      var minus = theta
      plus[j] += 1e-4
      minus[j] -= 1e-4
      let column = zip(
        Self.centralDifference(reference, at: plus), Self.centralDifference(reference, at: minus)
      ).map { ($0 - $1) / 2e-4 }
      for i in 0..<p {
        #expect(abs(hessian[i * p + j] - column[i]) <= 1e-4 + 1e-3 * abs(column[i]))
      }
    }
    let v = Self.randomTheta(p, seed: 6)
    let dense = (0..<p).map { i in (0..<p).reduce(0.0) { $0 + hessian[i * p + $1] * v[$1] } }
    Self.expectClose(objective.hessianVectorProduct(theta, v, rowWeights: nil), dense, "H·v")
    let losses = objective.perSampleLosses(theta)
    let mean = losses.reduce(0, +) / Double(losses.count)
    let penalty = 0.5 * Self.l2 * theta[1...].reduce(0) { $0 + $1 * $1 }
    #expect(abs(mean + penalty - value) < 1e-6)
  }

  /// Five-point central differences, h = 10⁻³: truncation h⁴·|L⁽⁵⁾|/30 and rounding
  /// 10⁻¹⁶/h, both below 10⁻¹¹ here.
  static func fivePointDifference(_ f: ([Double]) -> Double, at theta: [Double]) -> [Double] {
    let h = 1e-3
    return (0..<theta.count).map { i in
      func at(_ step: Double) -> Double {
        var t = theta
        t[i] += step
        return f(t)
      }
      return (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h)
    }
  }

  /// The double-precision path (`withPrecision(.double)`) computes the same objective with
  /// nothing rounded to `Float` but the data, so it matches the `Double` reference to rounding
  /// (value within 10⁻¹³ relative, gradient within 10⁻¹⁰ of five-point differences), with
  /// and without row weights and intercepts — where the single-precision path is held to
  /// 1e-5 + 1e-4·|g|.
  @Test(arguments: [true, false])
  func doublePrecisionMatchesTheDefinitionToRounding(weighted: Bool) throws {
    let weights: [Float]? =
      weighted ? (0..<Self.data.count).map { $0 % 5 == 0 ? 0 : ($0 % 2 == 0 ? 2 : 1) } : nil
    let softmax = try #require(
      SoftmaxObjective(data: Self.data, classCount: 3, l2: Self.l2, fitIntercept: true)
        .withPrecision(.double))
    #expect(softmax.precision == .double)
    var theta = Self.randomTheta(softmax.parameterCount, seed: 7)
    var (value, gradient) = softmax.valueAndGradient(theta, rowWeights: weights)
    let softmaxReference = {
      Self.softmaxReference($0, Self.data, weights: weights.map { $0.map(Double.init) })
    }
    var expected = softmaxReference(theta)
    #expect(abs(value - expected) <= 1e-13 * abs(expected), "L = \(value) vs \(expected)")
    var differences = Self.fivePointDifference(softmaxReference, at: theta)
    for i in 0..<gradient.count {
      #expect(
        abs(gradient[i] - differences[i]) <= 1e-10, "∇L[\(i)]: \(gradient[i]) vs \(differences[i])")
    }

    // Logistic, without row weights (the reference has none), with and without intercept.
    let fitIntercept = weighted
    let logistic = try #require(
      LogisticObjective(data: Self.binary, l2: Self.l2, fitIntercept: fitIntercept)
        .withPrecision(.double))
    #expect(logistic.precision == .double)
    theta = Self.randomTheta(logistic.parameterCount, seed: 8)
    (value, gradient) = logistic.valueAndGradient(theta, rowWeights: nil)
    let logisticReference = { (t: [Double]) in
      Self.logisticReference(fitIntercept ? t : [0] + t, Self.binary)
    }
    expected = logisticReference(theta)
    #expect(abs(value - expected) <= 1e-13 * abs(expected), "L = \(value) vs \(expected)")
    differences = Self.fivePointDifference(logisticReference, at: theta)
    for i in 0..<gradient.count {
      #expect(
        abs(gradient[i] - differences[i]) <= 1e-10, "∇L[\(i)]: \(gradient[i]) vs \(differences[i])")
    }
  }
}

@Suite("Kronecker preconditioner")
struct KroneckerPreconditionerTests {
  /// At θ = 0 every row has the same probabilities, so A ⊗ S + λI is the exact Hessian
  /// (without an intercept, whose entries λ does not touch) and M⁻¹ must invert it.
  @Test func invertsTheExactHessianAtTheStart() throws {
    let data = ConvexObjectiveTests.data
    let objective = SoftmaxObjective(data: data, classCount: 3, l2: 0.05, fitIntercept: false)
    let p = objective.parameterCount
    let zero = [Double](repeating: 0, count: p)
    let inverse = try #require(objective.inverseHessianApproximation(zero, rowWeights: nil))
    let hessian = objective.hessian(zero, rowWeights: nil)
    let v = ConvexObjectiveTests.randomTheta(p, seed: 9)
    let hv = (0..<p).map { i in (0..<p).reduce(0.0) { $0 + hessian[i * p + $1] * v[$1] } }
    ConvexObjectiveTests.expectClose(inverse.apply(hv), v, "M⁻¹Hv")
  }

  /// Away from the start it is only an approximation, but it must stay symmetric positive
  /// definite — L-BFGS's directions are descent directions only then.
  @Test func staysSymmetricPositiveDefinite() throws {
    let data = ConvexObjectiveTests.data
    let objective = SoftmaxObjective(data: data, classCount: 3, l2: 0.05, fitIntercept: true)
    let p = objective.parameterCount
    let theta = ConvexObjectiveTests.randomTheta(p, seed: 10)
    let inverse = try #require(objective.inverseHessianApproximation(theta, rowWeights: nil))
    let u = ConvexObjectiveTests.randomTheta(p, seed: 11)
    let w = ConvexObjectiveTests.randomTheta(p, seed: 12)
    let uMw = zip(u, inverse.apply(w)).reduce(0) { $0 + $1.0 * $1.1 }
    let wMu = zip(w, inverse.apply(u)).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(uMw - wMu) < 1e-9 * max(1, abs(uMw)))
    #expect(zip(u, inverse.apply(u)).reduce(0) { $0 + $1.0 * $1.1 } > 0)
  }
}

/// The intercepts' flat direction is pinned: a fit to a tight tolerance keeps Σ_c b_c at 0,
/// and shifting every intercept of a fitted model by a constant changes no probability.
@Suite("Softmax intercepts")
struct SoftmaxInterceptTests {
  @Test(arguments: [ConvexSolver.newton, .lbfgs])
  func fitsKeepTheInterceptsCentred(solver: ConvexSolver) throws {
    let data = try DatasetCatalog.load("synthetic:n=240,d=5,classes=3,seed=6,sep=1.5")
    var config = SoftmaxRegressionConfig()
    config.l2 = 1e-1
    config.tolerance = 1e-9
    config.solver = solver
    let model = try SoftmaxRegression.fit(data, config: config)
    let bias = model.parameters.view("bias").range.map { Double(model.parameters.values[$0]) }
    #expect(abs(bias.reduce(0, +)) < 1e-4, "intercepts \(bias)")
    var shifted = model.parameters
    for j in shifted.view("bias").range { shifted.values[j] += 3 }
    let moved = try SoftmaxRegression(
      configuration: model.configuration, featureCount: 5, classCount: 3, parameters: shifted)
    let (p, q) = (
      model.predictProbabilities(data.features), moved.predictProbabilities(data.features)
    )
    #expect(zip(p.storage, q.storage).allSatisfy { abs($0 - $1) < 1e-5 })
  }
}
