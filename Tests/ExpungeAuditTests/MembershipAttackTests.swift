import ExpungeAudit
import ExpungeCore
import ExpungeData
import ExpungeModels
import Testing

/// The attacks' arithmetic against brute force, and their behaviour on models that did and
/// did not see the "member" rows.
@Suite("Membership inference")
struct MembershipAttackTests {
  @Test func aucIsThePairwiseProbabilityWithTiesCountingHalf() {
    var rng = SeededGenerator(seed: 1)
    // Coarse scores so ties are common.
    let members = (0..<60).map { _ in Double(rng.nextInt(below: 8)) + 1 }
    let nonMembers = (0..<45).map { _ in Double(rng.nextInt(below: 8)) }
    var wins = 0.0
    for m in members {
      for n in nonMembers { wins += m > n ? 1 : (m == n ? 0.5 : 0) }
    }
    let roc = ROC(members: members, nonMembers: nonMembers)
    #expect(abs(roc.auc - wins / Double(members.count * nonMembers.count)) < 1e-12)
    #expect(roc.points.first! == (0, 0) && roc.points.last! == (1, 1))
    #expect(ROC(members: [3, 4], nonMembers: [1, 2]).auc == 1)
    #expect(ROC(members: [1, 2], nonMembers: [3, 4]).auc == 0)
    // Members 5, 4, 3; non-members 2, 1, 0.5 and one at 4.5: at FPR 0 only the top member.
    let partial = ROC(members: [5, 4, 3], nonMembers: [4.5, 2, 1, 0.5])
    #expect(partial.tpr(atFPR: 0) == 1.0 / 3)
    #expect(partial.tpr(atFPR: 0.25) == 1)
  }

  @Test func thresholdSweepFindsTheBestBalancedAccuracy() {
    var rng = SeededGenerator(seed: 2)
    for _ in 0..<20 {
      let members = (0..<30).map { _ in rng.nextDouble() + 0.3 }
      let nonMembers = (0..<40).map { _ in rng.nextDouble() }
      func accuracy(_ t: Double) -> Double {
        (Double(members.filter { $0 >= t }.count) / 30 + Double(nonMembers.filter { $0 < t }.count)
          / 40) / 2
      }
      let bruteForce = (members + nonMembers).map(accuracy).max()!
      let chosen = ThresholdAttack.bestThreshold(members: members, nonMembers: nonMembers)
      #expect(abs(accuracy(chosen) - bruteForce) < 1e-12)
    }
  }

  /// Gaussian rows with random labels: nothing to generalize, so whatever a network gets
  /// right on its 64 training rows it has memorized, and unseen rows stay at chance.
  static let pool: Dataset = {
    var data = try! DatasetCatalog.load("synthetic:n=1600,d=20,classes=3,seed=5,sep=0.4")
    var rng = SeededGenerator(seed: 6)
    data.labels = data.labels.map { _ in Int32(rng.nextInt(below: 3)) }
    return data
  }()

  static func part(_ range: Range<Int>) -> Dataset { pool.subset(Array(range)) }

  static func overfit(_ rows: Dataset) throws -> MLP {
    var c = MLPConfig()
    c.hidden = [256]
    c.epochs = 100
    c.batchSize = 32
    c.learningRate = 3e-3
    c.seed = 3
    return try MLP.fit(rows, config: c)
  }

  func attack(_ signal: MembershipSignal, model: MLP, members: Dataset) -> AttackResult {
    ThresholdAttack(signal).run(
      AuditedModel(model), retain: (members.features, members.labels),
      calibration: (Self.part(1000..<1300).features, Self.part(1000..<1300).labels),
      forget: (members.features, members.labels),
      test: (Self.part(1300..<1600).features, Self.part(1300..<1600).labels))
  }

  @Test(arguments: MembershipSignal.allCases)
  func attacksSeeMemorizedRowsAndNotUnseenOnes(signal: MembershipSignal) throws {
    let members = Self.part(0..<64)
    let model = try Self.overfit(members)
    let seen = attack(signal, model: model, members: members)
    #expect(seen.auc >= 0.7, "\(seen.name) on memorized rows: AUC \(seen.auc)")
    // The same model, attacking 64 rows it never saw: chance, within noise.
    let unseen = attack(signal, model: model, members: Self.part(200..<264))
    let sigma = ROC.nullStandardDeviation(members: 64, nonMembers: 300)
    #expect(
      abs(unseen.auc - 0.5) < 4 * sigma,
      "\(unseen.name) on unseen rows: AUC \(unseen.auc) (σ \(sigma))")
  }

  @Test func metricsMatchADirectCount() throws {
    let train = Self.part(0..<400)
    var c = SoftmaxRegressionConfig()
    c.l2 = 1e-2
    let model = try SoftmaxRegression.fit(train, config: c)
    let forget = Self.part(0..<50)
    let metrics = UnlearningMetrics(
      AuditedModel(model), forget: forget, retain: Self.part(50..<400), test: Self.part(1300..<1600)
    )
    let predicted = model.predict(forget.features)
    let correct = zip(predicted, forget.labels).filter { $0 == $1 }.count
    #expect(metrics.forget.accuracy == Double(correct) / 50)
    #expect(metrics.unlearningAccuracy == 1 - metrics.forget.accuracy)
    #expect(
      abs(
        metrics.retain.meanLoss
          - model.meanLoss(Self.part(50..<400).features, labels: Self.part(50..<400).labels)) < 1e-5
    )
  }
}
