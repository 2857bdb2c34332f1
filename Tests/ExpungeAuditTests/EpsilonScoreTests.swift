import ExpungeAudit
import ExpungeCore
import Foundation
import Testing

/// The NeurIPS 2023 challenge's per-row ε and forget score.
@Suite("Epsilon score")
struct EpsilonScoreTests {
  /// ε by brute force over every single- and two-threshold rule on a grid — the challenge's
  /// way — for comparison with the exact search over data points. The data lie on a 0.05
  /// lattice and the grid on the midpoints between, so it sees every distinct rule.
  static func gridEpsilon(_ a: [Double], _ b: [Double], delta: Double = 1e-5) -> Double {
    let lo = Int((min(a.min()!, b.min()!) * 20).rounded()) - 2
    let hi = Int((max(a.max()!, b.max()!) * 20).rounded()) + 2
    let grid = (lo...hi).map { Double($0) / 20 - 0.025 }
    var best = 0.0
    func consider(_ positive: [Double], _ negative: [Double], _ rule: (Double) -> Bool) {
      let fnr = Double(positive.filter { !rule($0) }.count) / Double(positive.count)
      let fpr = Double(negative.filter(rule).count) / Double(negative.count)
      if fpr == 0 && fnr == 0 {
        best = EpsilonScore.cap
      } else if fpr > 0 && fnr > 0 {
        best = max(best, log(1 - delta - fpr) - log(fnr), log(1 - delta - fnr) - log(fpr))
      }
    }
    let median = { (v: [Double]) in
      let s = v.sorted()
      return v.count % 2 == 1 ? s[v.count / 2] : (s[v.count / 2 - 1] + s[v.count / 2]) / 2
    }
    let (pos, neg) = median(a) >= median(b) ? (a, b) : (b, a)
    let spread = { (v: [Double]) in v.max()! - v.min()! }
    let (peaky, broad) = spread(a) <= spread(b) ? (a, b) : (b, a)
    for t in grid { consider(pos, neg) { $0 >= t } }
    for (i, l) in grid.enumerated() {
      for r in grid[i...] { consider(peaky, broad) { $0 >= l && $0 <= r } }
    }
    return min(best, EpsilonScore.cap)
  }

  @Test func exactSearchAgreesWithAFineGrid() {
    var rng = SeededGenerator(seed: 11)
    for trial in 0..<30 {
      // Values on a 0.05 lattice, so the grid's step resolves every gap.
      let shift = Double(trial % 4)
      let a = (0..<8).map { _ in (rng.nextNormal() * 20).rounded() / 20 }
      let b = (0..<8).map { _ in ((rng.nextNormal() * 1.5 + shift) * 20).rounded() / 20 }
      let exact = EpsilonScore.epsilon(a, b)
      #expect(abs(exact - Self.gridEpsilon(a, b)) < 1e-9, "a \(a) b \(b)")
    }
  }

  @Test func separatedSamplesGetTheCapAndEqualOnesNothing() {
    #expect(EpsilonScore.epsilon([1, 2, 3, 4], [11, 12, 13, 14]) == EpsilonScore.cap)
    #expect(EpsilonScore.epsilon([5, 5, 5], [5, 5, 5]) == 0)
    #expect(EpsilonScore.epsilon([5, 5, 5], [6, 6, 6]) == EpsilonScore.cap)
    // One sample spread less than 1 % of the other's range: the cap (too peaky to trust).
    #expect(EpsilonScore.epsilon([1, 1.001, 1.002], [0, 1, 2, 3]) == EpsilonScore.cap)
    // Interleaved samples: FPR = FNR = ¼ at best, ε = log(¾ − δ) − log ¼.
    let e = EpsilonScore.epsilon([1, 3, 5, 7], [2, 4, 6, 8])
    #expect(e > 0 && e < log(3.0) + 1e-9)
  }

  /// Draws from one distribution score well; draws from two far apart score 0; K sets the
  /// ceiling ⌈log(K − 1)⌉ and bucket points 1, ½, ¼, ….
  @Test func forgetScoreRewardsIndistinguishableRuns() {
    var rng = SeededGenerator(seed: 12)
    func runs(_ mean: Double) -> [[Double]] {
      (0..<8).map { _ in (0..<200).map { _ in rng.nextNormal() + mean } }
    }
    let same = EpsilonScore(unlearned: runs(0), retrained: runs(0))
    let apart = EpsilonScore(unlearned: runs(0), retrained: runs(6))
    let shifted = EpsilonScore(unlearned: runs(0), retrained: runs(2.5))
    #expect(same.ceiling == 2 && same.models == 8)
    #expect(same.bucketCounts.count == 5 && same.bucketCounts.reduce(0, +) == 200)
    // Eight draws a side leave the best of ~150 rules much luck (identical distributions
    // mostly land in the [1, 2) buckets), but the order holds: identical above a 2.5σ
    // shift, above a 6σ one (0: every row separated).
    #expect(
      same.forgetScore > 1.5 * shifted.forgetScore && shifted.forgetScore > 0,
      "same \(same.forgetScore) \(same.bucketCounts), shifted \(shifted.forgetScore) \(shifted.bucketCounts)"
    )
    #expect(apart.forgetScore == 0 && apart.bucketCounts.last == 200)
    let points = zip(same.bucketCounts, [1, 0.5, 0.25, 0.125, 0]).map { Double($0) * $1 }
    #expect(abs(same.forgetScore - points.reduce(0, +) / 200) < 1e-12)
  }
}
