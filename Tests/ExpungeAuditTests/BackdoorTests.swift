import ExpungeAudit
import ExpungeCore
import ExpungeData
import Foundation
import Testing

/// Backdoor triggers and the hypothesis test of Sommer et al.
@Suite("Backdoor verification")
struct BackdoorTests {
  @Test func triggerParsesAndStampsTheCornerOnly() throws {
    let trigger = try #require(BackdoorTrigger("corner:3x2@0.5"))
    #expect(trigger.width == 3 && trigger.height == 2 && trigger.value == 0.5)
    #expect(trigger.description == "corner:3x2@0.5")
    #expect(BackdoorTrigger("corner:3x3")?.value == 1)
    for bad in ["corner:3", "corner:0x3", "corner:3x3@x", "edge:3x3", "corner:3x3@inf"] {
      #expect(BackdoorTrigger(bad) == nil, "\(bad)")
    }
    #expect(trigger.side(featureCount: 784) == 28 && trigger.side(featureCount: 20) == nil)
    #expect(BackdoorTrigger("corner:9x9")!.side(featureCount: 64) == nil)  // does not fit 8×8
    let rows = Matrix.zeros(3, 16)
    let stamped = trigger.stamp(rows, indices: [1])
    var touched: [Int] = []
    for j in 0..<16 where stamped[1, j] != 0 { touched.append(j) }
    #expect(touched == [9, 10, 11, 13, 14, 15])  // rows 2–3, columns 1–3 of a 4×4 image
    #expect(stamped.row(0).allSatisfy { $0 == 0 } && stamped.row(2).allSatisfy { $0 == 0 })
  }

  @Test func poisoningStampsAndRelabelsOnlyTheChosenRows() throws {
    let data = try DatasetCatalog.load("synthetic:n=40,d=16,classes=3,seed=1")
    let chosen: Set<SampleID> = [data.ids[3], data.ids[17]]
    let backdoor = Backdoor(trigger: BackdoorTrigger("corner:2x2")!, targetLabel: 2, ids: chosen)
    let poisoned = backdoor.poison(data)
    for i in 0..<data.count {
      let hit = chosen.contains(data.ids[i])
      #expect((poisoned.labels[i] == 2) == (hit || data.labels[i] == 2))
      #expect((poisoned.features.row(i) != data.features.row(i)) == hit)
    }
  }

  /// The exact tail against a direct sum of binomial probabilities.
  @Test func pValueIsTheBinomialTail() {
    func choose(_ n: Int, _ k: Int) -> Double {
      (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
    }
    for (n, k, q) in [(20, 5, 0.1), (30, 0, 0.3), (25, 25, 0.5), (40, 12, 0.2)] {
      let direct = (k...n).reduce(0.0) {
        $0 + choose(n, $1) * pow(q, Double($1)) * pow(1 - q, Double(n - $1))
      }
      let test = BackdoorHypothesisTest(
        queries: n, successes: k, deletedRate: q, notDeletedRate: 0.9)
      #expect(abs(test.pValue - direct) < 1e-12 * max(1, direct), "n \(n) k \(k)")
    }
  }

  @Test func verdictFollowsTheCountsAndRefusesCloseRates() {
    let far = { (k: Int) in
      BackdoorHypothesisTest(queries: 200, successes: k, deletedRate: 0.05, notDeletedRate: 0.9)
    }
    #expect(far(185).verdict == "not deleted" && far(185).logLikelihoodRatio > 0)
    #expect(far(9).verdict == "deleted" && far(9).logLikelihoodRatio < 0)
    #expect(far(9).typeIError < 0.01 && far(9).typeIIError < 0.01)
    let close = BackdoorHypothesisTest(
      queries: 200, successes: 20, deletedRate: 0.08, notDeletedRate: 0.12)
    #expect(close.verdict == "inconclusive")
  }
}
