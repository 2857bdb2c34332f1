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
    for rule in CertifiedRemoval.RefreshRule.allCases {
      var removal = try CertifiedRemoval(model: model, data: data)
      removal.refreshRule = rule
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
            "step \(step), model \(k), rule \(rule): residual \(truth) > bound \(removal.residualBounds[k])"
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

  /// The break-even test against its formula: refresh once the excess spent reaches
  /// W·m′·a_max/aₖ, m′ = Σⱼ aⱼ/a_max.
  @Test func breakEvenThresholds() {
    func refreshes(_ k: Int, _ accumulated: [Double], spent: Double) -> Bool {
      CertifiedRemoval.breakEven(
        model: k, accumulated: accumulated, worth: 0.01, spent: spent, excess: 0)
    }
    // One model: W. Ten alike: 10·W each. The leader of one far ahead: W; a model at half
    // the leader's bound beside it (m′ = 1.5): 1.5·W·2 = 3·W.
    #expect(!refreshes(0, [0.3], spent: 0.0099) && refreshes(0, [0.3], spent: 0.01))
    let alike = [Double](repeating: 0.3, count: 10)
    #expect(!refreshes(4, alike, spent: 0.099) && refreshes(4, alike, spent: 0.1))
    #expect(refreshes(0, [0.4] + [Double](repeating: 0, count: 9), spent: 0.01))
    #expect(!refreshes(1, [0.4, 0.2], spent: 0.0299) && refreshes(1, [0.4, 0.2], spent: 0.03))
    // Nothing spent yet: every model counts fully.
    #expect(!refreshes(0, [0, 0], spent: 0.0199) && refreshes(0, [0, 0], spent: 0.02))
    // The step's own excess counts.
    #expect(
      CertifiedRemoval.breakEven(
        model: 0, accumulated: [0.3], worth: 0.01, spent: 0.004, excess: 0.006))
  }

  /// On the same removals (σ = 1, where never refreshing runs out of budget within 30),
  /// `.breakEven` refreshes where staleness has cost a refresh's worth — fewer times than
  /// `.always`, which refreshes before every step — and so runs out of budget later than
  /// `.never`; under every rule each recorded bound covers the true residual and stays
  /// within the budget.
  @Test(arguments: [2, 3])
  func rulesTradeRefreshesForBudget(classes: Int) throws {
    let data = try Self.data(classes: classes, seed: 12)
    let model = try CertifiedLogisticRegression.fit(data, config: Self.config(sigma: 1))
    var rng = SeededGenerator(seed: 13)
    let removals = 80
    let order = rng.permutation(data.count).prefix(removals).map { data.ids[$0] }
    var refreshes: [CertifiedRemoval.RefreshRule: Int] = [:]
    var firstRetrain: [CertifiedRemoval.RefreshRule: Int] = [:]
    for rule in CertifiedRemoval.RefreshRule.allCases {
      var removal = try CertifiedRemoval(model: model, data: data)
      removal.refreshRule = rule
      for (step, id) in order.enumerated() {
        let report = try removal.remove([id])
        refreshes[rule, default: 0] += report.refreshed.count
        if report.retrained, firstRetrain[rule] == nil { firstRetrain[rule] = step }
        for k in 0..<removal.model.modelCount {
          let truth = removal.residual(model: k).norm
          #expect(truth <= removal.residualBounds[k], "\(rule), step \(step), model \(k)")
          #expect(removal.residualBounds[k] <= removal.budget)
        }
      }
    }
    let (never, breakEven, always) = (
      refreshes[.never] ?? 0, refreshes[.breakEven] ?? 0, refreshes[.always] ?? 0
    )
    #expect(never == 0 && breakEven > 0 && breakEven < always / 2, "\(refreshes)")
    let ranOut = try #require(firstRetrain[.never])
    #expect(ranOut < 30 && (firstRetrain[.breakEven] ?? removals) > ranOut, "\(firstRetrain)")
  }

  /// Removal gives the same bits with one thread as with several (its passes over the rows
  /// split them by count alone), refreshes and a retrain included.
  @Test func sameBitsOnAnyThreadCount() throws {
    let data = try DatasetCatalog.load("synthetic:n=5000,d=20,classes=3,seed=4,sep=1")
    var config = Self.config(sigma: 1e-3)
    config.l2 = 1e-3
    defer { Threads.set(Threads.defaultCount) }
    func run(threads: Int) throws -> (
      weights: [Double], bounds: [Double], refreshes: Int, retrains: Int
    ) {
      Threads.set(threads)
      var removal = try CertifiedRemoval(
        model: try CertifiedLogisticRegression.fit(data, config: config), data: data)
      removal.refreshRule = .always
      var refreshes = 0
      for i in stride(from: 0, to: 40, by: 4) {
        refreshes += try removal.remove([data.ids[i]]).refreshed.count
      }
      return (removal.model.flatWeights, removal.residualBounds, refreshes, removal.retrains)
    }
    let (one, three) = (try run(threads: 1), try run(threads: 3))
    #expect(one.weights == three.weights && one.bounds == three.bounds)
    #expect(one.refreshes > 0 && one.refreshes == three.refreshes, "\(one.refreshes)")
    #expect(one.retrains > 0 && one.retrains == three.retrains, "\(one.retrains)")
  }
}
