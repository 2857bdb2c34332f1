import ExpungeCore
import ExpungeData
import Foundation

/// The forgetting score of the NeurIPS 2023 Machine Unlearning Challenge (Triantafillou et
/// al., "Are we making progress in unlearning?", 2024), from K unlearned and K retrained
/// models — each run of the whole pipeline with its own seed.
///
/// For each forgotten row, the K unlearned and K retrained models' logit-scaled confidences
/// are two samples; an attacker distinguishing them with a decision rule of false-positive
/// rate FPR and false-negative rate FNR shows the pair is at best (ε, δ)-indistinguishable
/// with
///
///     ε = max(log(1 − δ − FPR) − log FNR, log(1 − δ − FNR) − log FPR),   δ = 1e-5,
///
/// maximized over the rules: one threshold (everything above it is the class with the
/// larger median) and two thresholds (everything between them is the peakier class). Rules
/// with FPR or FNR at 0 (but not both) are skipped as too few samples to tell; perfect
/// separation, or one sample spread less than 1 % of the other's range, gives the cap 50.
/// Candidate thresholds are the observed values themselves, where the empirical rates
/// change — the challenge's grid of 100 points per unit finds nothing more.
///
/// With K models per side the rates move in steps of 1/K, so no finite ε above
/// log(K − 1) can be observed: the score's buckets of width ½ run from 0 to ⌈log(K − 1)⌉
/// (the "ceiling"), worth 1, ½, ¼, … points; an ε at or past the ceiling scores 0. The
/// forget score is the mean over rows: 1 means every row is indistinguishable within the
/// first bucket.
public struct EpsilonScore: Sendable, Equatable, Codable {
  public static let name = "epsilon-score"
  public static let cap = 50.0

  /// K, models per side.
  public var models: Int
  public var delta: Double
  /// ⌈log(K − 1)⌉: the largest ε the buckets can resolve.
  public var ceiling: Double
  /// The mean bucket points over forgotten rows, in [0, 1].
  public var forgetScore: Double
  /// Per-row ε, in the forget set's order.
  public var epsilons: [Double]
  /// How many rows fell in each bucket [0, ½), [½, 1), …, then one count for ε ≥ ceiling.
  public var bucketCounts: [Int]

  /// - Parameters:
  ///   - unlearned: `unlearned[k][i]`, unlearned model k's φ on forgotten row i.
  ///   - retrained: the same for the retrained models.
  public init(unlearned: [[Double]], retrained: [[Double]], delta: Double = 1e-5) {
    precondition(
      unlearned.count == retrained.count && unlearned.count >= 2,
      "ε-score: the same number (≥ 2) of unlearned and retrained models")
    let rows = unlearned.first?.count ?? 0
    models = unlearned.count
    self.delta = delta
    ceiling = ceil(log(Double(models - 1)))
    epsilons = (0..<rows).map { i in
      Self.epsilon(unlearned.map { $0[i] }, retrained.map { $0[i] }, delta: delta)
    }
    let bucketCount = Int(ceiling / 0.5)
    var counts = [Int](repeating: 0, count: bucketCount + 1)
    var points = 0.0
    for e in epsilons {
      let b = e < ceiling ? Int(e / 0.5) : bucketCount
      counts[min(b, bucketCount)] += 1
      if b < bucketCount { points += pow(0.5, Double(b)) }
    }
    bucketCounts = counts
    forgetScore = rows > 0 ? points / Double(rows) : 0
  }

  /// The ε of one row from its two samples (see the type's description).
  public static func epsilon(_ a: [Double], _ b: [Double], delta: Double = 1e-5) -> Double {
    func median(_ v: [Double]) -> Double {
      let s = v.sorted()
      return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    let (spreadA, spreadB) = (a.max()! - a.min()!, b.max()! - b.min()!)
    let (small, large) = (min(spreadA, spreadB), max(spreadA, spreadB))
    if large == 0 { return a[0] == b[0] ? 0 : cap }  // two point masses
    if small / large < 0.01 { return cap }
    // The single-threshold rule calls "positive" the sample with the larger median.
    let (pos, neg) = median(a) >= median(b) ? (a, b) : (b, a)
    let values = Array(Set(a + b)).sorted()
    var best: Double?
    func consider(isPositive: (Double) -> Bool, positive: [Double], negative: [Double]) {
      let fnr = Double(positive.filter { !isPositive($0) }.count) / Double(positive.count)
      let fpr = Double(negative.filter(isPositive).count) / Double(negative.count)
      if fpr == 0 && fnr == 0 {
        best = cap
        return
      }
      guard fpr > 0 && fnr > 0 else { return }
      let e = max(0, log(1 - delta - fpr) - log(fnr), log(1 - delta - fnr) - log(fpr))
      best = max(best ?? 0, e)
    }
    for t in values { consider(isPositive: { $0 >= t }, positive: pos, negative: neg) }
    // The two-threshold rule calls "positive" the peakier sample.
    let (peaky, broad) = spreadA <= spreadB ? (a, b) : (b, a)
    for (i, low) in values.enumerated() {
      for high in values[i...] {
        consider(isPositive: { $0 >= low && $0 <= high }, positive: peaky, negative: broad)
      }
    }
    return min(best ?? 0, cap)
  }
}

extension EpsilonScore {
  /// Runs the whole pipeline `models` times each way — train and unlearn, and retrain
  /// without the forgotten rows — with seeds derived from `seed`, and scores the two
  /// samples of logit-scaled confidences on `forget`. The runs may train side by side on
  /// several threads (`concurrentMap`): `unlearn` and `retrain` must be safe to call so.
  /// - Parameters:
  ///   - unlearn: trains on every original row with the given seed, then unlearns.
  ///   - retrain: trains on the kept rows with the given seed.
  public static func measure(
    forget: Dataset, models: Int, seed: UInt64, unlearn: (UInt64) throws -> AuditedModel,
    retrain: (UInt64) throws -> AuditedModel, progress: (() -> Void)? = nil
  ) throws -> EpsilonScore {
    func confidences(_ model: AuditedModel) -> [Double] {
      MembershipSignal.logitScaledConfidence(
        model.posteriors(forget.features), labels: forget.labels)
    }
    // Run j is model j/2, unlearned when j is even, retrained when odd; the runs are
    // independent (each its own seed), so they train side by side.
    let report = SerializedProgress(progress)
    let runs = try concurrentMap(2 * models) { j in
      let k = j / 2
      let model =
        j.isMultiple(of: 2)
        ? try unlearn(ReferenceSeeds.seed(seed, role: "epsilon-unlearned", model: k))
        : try retrain(ReferenceSeeds.seed(seed, role: "epsilon-retrained", model: k))
      report.call { $0?() }
      return confidences(model)
    }
    return EpsilonScore(
      unlearned: stride(from: 0, to: runs.count, by: 2).map { runs[$0] },
      retrained: stride(from: 1, to: runs.count, by: 2).map { runs[$0] })
  }
}
