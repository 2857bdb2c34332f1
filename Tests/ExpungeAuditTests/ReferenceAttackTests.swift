import ExpungeAudit
import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// The attacks with reference models — shadow, LiRA online and offline — on a model that
/// memorized its "member" rows and on one that never saw them, plus their arithmetic.
@Suite("Reference-model attacks")
struct ReferenceAttackTests {
  typealias Pool = MembershipAttackTests

  /// The recipe of the target and of every reference model: the same overfitting MLP.
  static func recipe(_ rows: Dataset, _ seed: UInt64?) throws -> AuditedModel {
    var c = MLPConfig()
    c.hidden = [256]
    c.epochs = 100
    c.batchSize = 32
    c.learningRate = 3e-3
    c.seed = seed ?? 3
    return AuditedModel(try MLP.fit(rows, config: c))
  }

  static let members = Pool.part(0..<64)
  static let nonMembers = Pool.part(1300..<1364)
  static let nothing = Pool.part(0..<0)
  static let sigma = ROC.nullStandardDeviation(members: 64, nonMembers: 64)

  /// One pool of 8 reference models per suite run: each trains on half of the 128
  /// candidates (the members and non-members of both targets), as Carlini et al. do.
  static let lira: LiRAReferences = {
    try! LiRAReferences.train(
      retain: nothing, forget: members, nonMembers: nonMembers, models: 8, seed: 1,
      train: recipe)
  }()

  @Test(arguments: LiRAAttack.Variant.allCases)
  func liraSeesMemorizedRowsAndNotUnseenOnes(variant: LiRAAttack.Variant) throws {
    let memorizing = try Self.recipe(Self.members, nil)
    let seen = Self.lira.run(variant, target: memorizing, seed: 0)
    #expect(seen.auc >= 0.7, "\(seen.name) on memorized rows: AUC \(seen.auc)")
    // A target trained on other rows: for it the "members" are as unseen as the test rows.
    let other = try Self.recipe(Pool.part(200..<264), nil)
    let unseen = Self.lira.run(variant, target: other, seed: 0)
    #expect(
      abs(unseen.auc - 0.5) < 4 * Self.sigma,
      "\(unseen.name) on unseen rows: AUC \(unseen.auc) (σ \(Self.sigma))")
  }

  @Test func shadowAttackSeesMemorizedRowsAndNotUnseenOnes() throws {
    // Shadows train on halves of 128 held-out rows: the target's recipe on as many rows.
    let attack = try ShadowModelAttack.train(
      heldOut: Pool.part(1000..<1128), models: 8, seed: 2, train: Self.recipe)
    let seen = attack.run(
      try Self.recipe(Self.members, nil), forget: Self.members, test: Self.nonMembers)
    #expect(seen.auc >= 0.7, "shadow on memorized rows: AUC \(seen.auc)")
    let unseen = attack.run(
      try Self.recipe(Pool.part(200..<264), nil), forget: Self.members, test: Self.nonMembers)
    #expect(
      abs(unseen.auc - 0.5) < 4 * Self.sigma,
      "shadow on unseen rows: AUC \(unseen.auc) (σ \(Self.sigma))")
  }

  @Test func inclusionGivesEveryRowHalfTheModels() {
    var rng = SeededGenerator(seed: 4)
    for k in [2, 3, 8] {
      let included = ReferenceScores.balancedInclusion(models: k, rows: 200, generator: &rng)
      for i in 0..<200 { #expect(included.map { $0[i] }.filter { $0 }.count == k / 2) }
      // Each model trains on about half the rows, not on a fixed subset.
      #expect(Set(included.map { $0.filter { $0 }.count }).count > 1 || k == 2)
    }
  }

  /// Offline scores are the z-scores against each row's OUT mean with the pooled
  /// deviation; online scores are Gaussian log-likelihood ratios — checked by direct sums.
  @Test func liraScoresMatchTheGaussianFits() {
    var rng = SeededGenerator(seed: 5)
    let (k, n) = (6, 40)
    let scores = (0..<k).map { _ in (0..<n).map { _ in rng.nextNormal() * 2 } }
    let included = ReferenceScores.balancedInclusion(models: k, rows: n, generator: &rng)
    let references = ReferenceScores(scores: scores, included: included)
    let target = (0..<n).map { _ in rng.nextNormal() }
    func gaussian(_ inside: Bool) -> (means: [Double], deviation: Double) {
      var means: [Double] = []
      var squares = 0.0
      for i in 0..<n {
        let v = (0..<k).filter { included[$0][i] == inside }.map { scores[$0][i] }
        let m = v.reduce(0, +) / Double(v.count)
        means.append(m)
        squares += v.map { ($0 - m) * ($0 - m) }.reduce(0, +)
      }
      return (means, (squares / Double(n * (k / 2 - 1))).squareRoot())
    }
    let (outMeans, outSD) = gaussian(false)
    let (inMeans, inSD) = gaussian(true)
    let offline = LiRAAttack.scores(target: target, references: references, variant: .offline)
    let online = LiRAAttack.scores(target: target, references: references, variant: .online)
    for i in 0..<n {
      #expect(abs(offline[i] - (target[i] - outMeans[i]) / outSD) < 1e-9)
      let logIn = -0.5 * pow((target[i] - inMeans[i]) / inSD, 2) - log(inSD)
      let logOut = -0.5 * pow((target[i] - outMeans[i]) / outSD, 2) - log(outSD)
      #expect(abs(online[i] - (logIn - logOut)) < 1e-9)
    }
  }

  @Test func logitScaledConfidenceIsTheLogOddsOfTheTrueClass() {
    let p = Matrix(rows: 2, cols: 3, storage: [0.7, 0.2, 0.1, 0.25, 0.25, 0.5])
    let phi = MembershipSignal.logitScaledConfidence(p, labels: [0, 2])
    #expect(abs(phi[0] - log(0.7 / 0.3)) < 1e-6)
    #expect(abs(phi[1] - 0) < 1e-6)
  }
}
