import ExpungeAudit
import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

@Suite("MIA-efficacy and oracle comparison")
struct OracleAndEfficacyTests {
  @Test func jensenShannonDivergenceKnownValues() {
    let p = Matrix([[1, 0], [0.5, 0.5], [0.9, 0.1]])
    let q = Matrix([[0, 1], [0.5, 0.5], [0.5, 0.5]])
    // Row 1: disjoint → ln 2; row 2: identical → 0; row 3 by hand.
    let m = [0.7, 0.3]
    let row3 =
      0.5 * (0.9 * log(0.9 / m[0]) + 0.1 * log(0.1 / m[1]))
      + 0.5 * (0.5 * log(0.5 / m[0]) + 0.5 * log(0.5 / m[1]))
    let expected = (log(2.0) + 0 + row3) / 3
    #expect(abs(OracleComparison.meanJSDivergence(p, q) - expected) < 1e-7)
    #expect(abs(OracleComparison.meanJSDivergence(q, p) - expected) < 1e-7)
    #expect(OracleComparison.meanJSDivergence(p, p) == 0)
  }

  @Test func efficacyIsLowOnMemorizedRowsAndHighOnUnseenOnes() throws {
    let pool = MembershipAttackTests.pool
    let members = pool.subset(Array(0..<64))
    let model = try MembershipAttackTests.overfit(members)
    let test = pool.subset(Array(1300..<1600))
    let memorized = try MIAEfficacy.compute(
      AuditedModel(model), retain: members, test: test, forget: members)
    let unseen = try MIAEfficacy.compute(
      AuditedModel(model), retain: members, test: test, forget: pool.subset(Array(200..<264)))
    #expect(memorized < 0.35, "memorized rows should look like members: \(memorized)")
    #expect(unseen > memorized + 0.4, "unseen \(unseen) vs memorized \(memorized)")
  }

  @Test func aModelIsAtZeroDistanceFromItselfAndNotFromAnother() throws {
    let pool = MembershipAttackTests.pool
    let forget = pool.subset(Array(0..<64))
    let retain = pool.subset(Array(64..<400))
    let test = pool.subset(Array(1300..<1600))
    let a = try MembershipAttackTests.overfit(pool.subset(Array(0..<400)))
    let b = try MembershipAttackTests.overfit(retain)
    let metricsA = UnlearningMetrics(AuditedModel(a), forget: forget, retain: retain, test: test)
    let metricsB = UnlearningMetrics(AuditedModel(b), forget: forget, retain: retain, test: test)
    let same = OracleComparison(
      unlearned: AuditedModel(a), oracle: AuditedModel(a), unlearnedMetrics: metricsA,
      oracleMetrics: metricsA,
      unlearnedMIAEfficacy: 0.3, oracleMIAEfficacy: 0.3, forget: forget, test: test)
    #expect(same.averageGap == 0 && same.jsDivergenceTest == 0 && same.parameterDistance == 0)
    let different = OracleComparison(
      unlearned: AuditedModel(a), oracle: AuditedModel(b), unlearnedMetrics: metricsA,
      oracleMetrics: metricsB,
      unlearnedMIAEfficacy: 0.2, oracleMIAEfficacy: 0.6, forget: forget, test: test)
    #expect(different.gaps["MIA-efficacy"].map { abs($0 - 0.4) < 1e-12 } == true)
    #expect(different.gaps["UA"]! > 0.1, "a forgot nothing, b never saw the forget rows")
    #expect(different.jsDivergenceForget > different.jsDivergenceTest)
    #expect((different.parameterDistance ?? 0) > 0)
  }

  /// The verdict flags an attack whose AUC on the unlearned model is beyond 2√2 σ of its AUC
  /// on the oracle (or 2σ of chance without one), and an Avg. Gap above 0.01.
  @Test func verdictFlagsWhatSeparatesTheModels() {
    func attack(_ name: String, _ members: [Double]) -> AttackResult {
      AttackResult(
        name: name, members: members, nonMembers: (0..<100).map { Double($0) / 100 },
        threshold: 0.5)
    }
    let chance = attack("a", (0..<100).map { Double($0) / 100 + 0.001 })
    let strong = attack("b", (0..<100).map { Double($0) / 100 + 0.3 })
    #expect(abs(chance.auc - 0.5) < 0.01 && strong.auc > 0.7)
    let same = AuditVerdict(unlearned: [chance, strong], oracle: [chance, strong], averageGap: 0)
    #expect(same.indistinguishable && same.flagged.isEmpty)
    let apart = AuditVerdict(unlearned: [chance, strong], oracle: [chance, chance], averageGap: 0)
    #expect(!apart.indistinguishable && apart.flagged == ["b"])
    let gap = AuditVerdict(unlearned: [chance], oracle: [chance], averageGap: 0.05)
    #expect(gap.flagged == ["Avg. Gap"])
    #expect(AuditVerdict(unlearned: [strong], oracle: nil, averageGap: nil).flagged == ["b"])
    #expect(AuditVerdict(unlearned: [chance], oracle: nil, averageGap: nil).indistinguishable)
  }
}
