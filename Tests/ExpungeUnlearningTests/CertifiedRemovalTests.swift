import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation
import Testing

/// Certified removal: the recorded bound always covers the true gradient residual (b
/// included), so the model lands within bound/Λ of the retrained optimum; the budget is never
/// exceeded without a retrain.
@Suite("Certified removal")
struct CertifiedRemovalTests {
  static func data(classes: Int, seed: UInt64) throws -> Dataset {
    try DatasetCatalog.load("synthetic:n=400,d=12,classes=\(classes),seed=\(seed),sep=1.2")
  }

  static func config(sigma: Double = 1, tolerance: Double = 1e-6) -> CertifiedLogisticConfig {
    var c = CertifiedLogisticConfig()
    c.l2 = 1e-2
    c.sigma = sigma
    c.tolerance = tolerance
    c.perturbationSeed = 7
    return c
  }

  static func distance(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

  /// Retrains every binary model on the kept rows with the same b and Λ, to a tight
  /// tolerance: the optimum the removed model must be near.
  static func retrained(_ removal: CertifiedRemoval) throws -> CertifiedLogisticRegression {
    var c = removal.model.config
    c.tolerance = 1e-7
    return try CertifiedLogisticRegression.fit(removal.data, config: c)
  }

  @Test(arguments: [2, 4])
  func boundCoversTheTrueResidual(classes: Int) throws {
    let data = try Self.data(classes: classes, seed: 3)
    // σ = 10: budget enough for every removal here, so the bound is what is tested.
    let model = try CertifiedLogisticRegression.fit(data, config: Self.config(sigma: 10))
    for looseness in [1.0, 2.0, 1e9] {  // always refresh, the default, never refresh
      var removal = try CertifiedRemoval(model: model, data: data)
      removal.refreshLooseness = looseness
      var rng = SeededGenerator(seed: 4)
      for step in 0..<12 {
        let batch = step % 3 == 2 ? 3 : 1
        let ids = Set(rng.choice(removal.data.count, batch).map { removal.data.ids[$0] })
        let report = try removal.remove(ids)
        #expect(!report.retrained)
        for k in 0..<removal.model.modelCount {
          let truth = removal.residual(model: k).norm
          #expect(
            truth <= removal.residualBounds[k],
            "step \(step), model \(k), looseness \(looseness): residual \(truth) > bound \(removal.residualBounds[k])"
          )
        }
      }
      // Strong convexity (Λ): ‖w − w*‖ ≤ ‖∇L_b(w)‖/Λ for the optimum w* on the kept rows,
      // so the removed model and a retrained one are within the sum of their residuals / Λ.
      let oracle = try Self.retrained(removal)
      let oracleResiduals = try CertifiedRemoval(model: oracle, data: removal.data).residualBounds
      let penalty = removal.model.config.totalPenalty!
      for k in 0..<removal.model.modelCount {
        let distance = Self.distance(
          zip(removal.model.weights(k), oracle.weights(k)).map { $0 - $1 })
        #expect(distance <= (removal.residualBounds[k] + oracleResiduals[k]) / penalty)
        // And the update did something: closer than the model before any removal.
        let before = Self.distance(zip(model.weights(k), oracle.weights(k)).map { $0 - $1 })
        #expect(distance < before, "model \(k): \(distance) vs \(before) without the update")
      }
    }
  }

  /// A small σ leaves almost no budget: removals retrain (with a fresh b) rather than
  /// ever let an accumulated bound exceed it.
  @Test func budgetIsNeverExceededWithoutARetrain() throws {
    let data = try Self.data(classes: 2, seed: 5)
    let model = try CertifiedLogisticRegression.fit(data, config: Self.config(sigma: 0.05))
    var removal = try CertifiedRemoval(model: model, data: data)
    var rng = SeededGenerator(seed: 6)
    var retrains = 0
    for _ in 0..<20 {
      let seedBefore = removal.model.config.perturbationSeed
      let report = try removal.remove([removal.data.ids[rng.nextInt(below: removal.data.count)]])
      #expect(removal.residualBounds.allSatisfy { $0 <= removal.budget })
      if report.retrained {
        retrains += 1
        #expect(removal.model.config.perturbationSeed != seedBefore)
        #expect(removal.model.config.totalPenalty == model.config.totalPenalty)
      }
    }
    #expect(retrains > 0 && removal.retrains == retrains)
    #expect(removal.data.count == 380)
  }

  @Test func unknownIDsChangeNothing() throws {
    let data = try Self.data(classes: 2, seed: 8)
    let model = try CertifiedLogisticRegression.fit(data, config: Self.config())
    var removal = try CertifiedRemoval(model: model, data: data)
    #expect(throws: UnlearningError.self) { try removal.remove([SampleID(999_999)]) }
    #expect(removal.data.count == 400 && removal.model.parameters == model.parameters)
  }
}
