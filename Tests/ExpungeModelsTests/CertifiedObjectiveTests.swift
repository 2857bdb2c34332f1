import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// The certified models' objective (`PerturbedLogisticObjective`) against its definition,
/// and certified training against its contract: the tolerance met in double precision, the
/// same bits on any thread count.
///
/// Tolerances: the objective runs in Double throughout, so values agree with the reference to
/// ~1e-13 relative; central differences with h = 1e-5 are good to ~1e-9 on these sums of
/// n ≤ 60 terms (rounding 1e-16·|L|/h, truncation h²·|L‴|).
@Suite("Certified objective and training")
struct CertifiedObjectiveTests {
  static func data(n: Int = 60, d: Int = 5, classes: Int, seed: UInt64 = 3) throws -> Dataset {
    CertifiedLogisticRegression.normalizedRows(
      try DatasetCatalog.load("synthetic:n=\(n),d=\(d),classes=\(classes),seed=\(seed),sep=1"))
  }

  static func objective(_ data: Dataset, penalty: Double = 0.7) -> PerturbedLogisticObjective {
    let m = data.classCount == 2 ? 1 : data.classCount
    var rng = SeededGenerator(seed: 11)
    return PerturbedLogisticObjective(
      data: data, totalPenalty: penalty,
      perturbations: (0..<m).map { _ in (0..<data.featureCount).map { _ in rng.nextNormal() } })
  }

  /// Lₖ(w) from its definition, in Double.
  static func reference(
    _ o: PerturbedLogisticObjective, _ data: Dataset, model k: Int, _ w: [Double]
  )
    -> Double
  {
    let d = data.featureCount
    var total = 0.0
    for i in 0..<data.count {
      let y = o.modelCount == 1 ? Double(data.labels[i]) : (Int(data.labels[i]) == k ? 1 : 0)
      var z = 0.0
      for j in 0..<d { z += w[j] * Double(data.features[i, j]) }
      total += log1p(exp(-(2 * y - 1) * z))
    }
    for j in 0..<d {
      total += 0.5 * o.totalPenalty * w[j] * w[j] + o.perturbations[k * d + j] * w[j]
    }
    return total
  }

  static func weights(_ count: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in rng.nextNormal() }
  }

  static func difference(_ f: ([Double]) -> Double, at w: [Double], _ j: Int) -> Double {
    let h = 1e-5
    var (plus, minus) = (w, w)
    plus[j] += h
    minus[j] -= h
    return (f(plus) - f(minus)) / (2 * h)
  }

  @Test(arguments: [2, 3])
  func valuesAndGradientMatchTheDefinition(classes: Int) throws {
    let data = try Self.data(classes: classes)
    let o = Self.objective(data)
    let (m, d) = (o.modelCount, data.featureCount)
    let w = Self.weights(m * d, seed: 5)
    let (values, gradient) = o.valuesAndGradient(w)
    for k in 0..<m {
      let wk = Array(w[(k * d)..<((k + 1) * d)])
      let truth = Self.reference(o, data, model: k, wk)
      #expect(abs(values[k] - truth) <= 1e-12 * abs(truth), "L\(k): \(values[k]) vs \(truth)")
      let single = o.gradient(model: k, at: wk)
      for j in 0..<d {
        let numeric = Self.difference({ Self.reference(o, data, model: k, $0) }, at: wk, j)
        let g = gradient[k * d + j]
        #expect(abs(g - numeric) <= 1e-7 * max(1, abs(numeric)), "∇L\(k)[\(j)]: \(g) vs \(numeric)")
        #expect(abs(single[j] - g) <= 1e-12 * max(1, abs(g)), "model \(k) alone, [\(j)]")
      }
    }
  }

  @Test(arguments: [2, 3])
  func hessianIsTheGradientsDerivative(classes: Int) throws {
    let data = try Self.data(classes: classes)
    let o = Self.objective(data)
    let d = data.featureCount
    for k in 0..<o.modelCount {
      let w = Self.weights(d, seed: 7 + UInt64(k))
      let h = o.hessian(model: k, at: w)
      for j in 0..<d {
        for i in 0..<d {
          let numeric = Self.difference({ o.gradient(model: k, at: $0)[i] }, at: w, j)
          #expect(
            abs(h[i * d + j] - numeric) <= 1e-7 * max(1, abs(numeric)),
            "∇²L\(k)[\(i), \(j)]: \(h[i * d + j]) vs \(numeric)")
        }
      }
    }
  }

  /// Sums over the rows a mask keeps are the bits of the same sums over a dataset of those
  /// rows alone (so a removal's measurements do not depend on the rows it removed), across
  /// several chunks of rows.
  @Test func maskedRowsSumLikeTheRowsAlone() throws {
    let data = try Self.data(n: 5_000, d: 8, classes: 3)
    var rng = SeededGenerator(seed: 9)
    let keep = (0..<data.count).map { _ in rng.nextInt(below: 10) != 0 }
    let kept = Self.objective(data.subset(keep.indices.filter { keep[$0] }))
    let masked = Self.objective(data)
    let w = Self.weights(data.featureCount, seed: 4)
    for k in 0..<masked.modelCount {
      #expect(masked.gradient(model: k, at: w, keep: keep) == kept.gradient(model: k, at: w))
      #expect(masked.hessian(model: k, at: w, keep: keep) == kept.hessian(model: k, at: w))
    }
  }

  /// With every row in its sample (n ≤ 1024), the preconditioner is the Hessian at W = 0
  /// over n: M⁻¹(∇²L(0)·v/n) = v, up to its Float Gram matrix.
  @Test(arguments: [2, 3])
  func preconditionerIsTheHessianAtZero(classes: Int) throws {
    let data = try Self.data(n: 500, d: 6, classes: classes)
    let o = Self.objective(data)
    let (m, d, n) = (o.modelCount, data.featureCount, Double(data.count))
    let v = Self.weights(m * d, seed: 12)
    var hv = [Double](repeating: 0, count: m * d)
    for k in 0..<m {
      let h = o.hessian(model: k, at: [Double](repeating: 0, count: d))
      for i in 0..<d {
        for j in 0..<d { hv[k * d + i] += h[i * d + j] * v[k * d + j] / n }
      }
    }
    let back = try o.preconditioner().apply(hv)
    for e in 0..<(m * d) { #expect(abs(back[e] - v[e]) <= 1e-4 * max(1, abs(v[e])), "[\(e)]") }
  }

  /// Every model's gradient, measured in double precision from scratch, is within the
  /// tolerance, for a tolerance far below what single-precision products resolve.
  @Test(arguments: [2, 4])
  func trainingMeetsTheToleranceInDoublePrecision(classes: Int) throws {
    let raw = try DatasetCatalog.load(
      "synthetic:n=3000,d=30,classes=\(classes),seed=2,sep=1")
    var config = CertifiedLogisticConfig()
    config.tolerance = 1e-9
    let model = try CertifiedLogisticRegression.fit(raw, config: config)
    let report = try #require(model.solverReport)
    #expect(report.converged && report.gradientNorm <= 1e-9)
    let o = PerturbedLogisticObjective(
      data: CertifiedLogisticRegression.normalizedRows(raw),
      totalPenalty: try #require(model.config.totalPenalty),
      perturbations: (0..<model.modelCount).map {
        CertifiedLogisticRegression.perturbation(model.config, model: $0, featureCount: 30)
      })
    for k in 0..<model.modelCount {
      let g = o.gradient(model: k, at: model.weights(k))
      let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
      #expect(norm <= 1e-9, "model \(k): ‖∇L‖ = \(norm)")
    }
  }

  /// Training gives the same bits with one thread as with several: every pass splits its rows
  /// by their count alone and adds the chunks' partial sums in order.
  @Test func trainingGivesTheSameBitsOnAnyThreadCount() throws {
    let raw = try DatasetCatalog.load("synthetic:n=6000,d=40,classes=3,seed=5,sep=1")
    let config = CertifiedLogisticConfig()
    defer { Threads.set(Threads.defaultCount) }
    Threads.set(1)
    let one = try CertifiedLogisticRegression.fit(raw, config: config)
    Threads.set(3)
    let three = try CertifiedLogisticRegression.fit(raw, config: config)
    #expect(one.flatWeights == three.flatWeights)
    #expect(one.solverReport?.iterations == three.solverReport?.iterations)
  }
}
