import ExpungeCore
import Foundation

/// What K reference models said about the candidate rows: each model's logit-scaled
/// confidence φ on each row, and whether the row was in that model's training set.
public struct ReferenceScores: Sendable, Equatable {
  /// `scores[k][i]`: φ of reference model k on candidate row i.
  public var scores: [[Double]]
  /// `included[k][i]`: whether model k trained on row i.
  public var included: [[Bool]]

  public init(scores: [[Double]], included: [[Bool]]) {
    precondition(
      scores.count == included.count
        && zip(scores, included).allSatisfy { $0.count == $1.count },
      "ReferenceScores: scores and inclusion shapes differ")
    self.scores = scores
    self.included = included
  }

  public var modelCount: Int { scores.count }
  public var rowCount: Int { scores.first?.count ?? 0 }

  /// For each row, the reference models that train on it: exactly ⌊K/2⌋ of the K, drawn
  /// independently per row (as in Carlini et al.'s experiments), so every row has IN and OUT
  /// models whenever K ≥ 2 — a coin flip per model and row would leave some rows with none.
  public static func balancedInclusion(models: Int, rows: Int, generator: inout SeededGenerator)
    -> [[Bool]]
  {
    var included = [[Bool]](repeating: [Bool](repeating: false, count: rows), count: models)
    for i in 0..<rows {
      for k in generator.choice(models, models / 2) { included[k][i] = true }
    }
    return included
  }
}

/// The likelihood-ratio attack (LiRA; Carlini et al., "Membership Inference Attacks From
/// First Principles", S&P 2022), per example, on the logit-scaled confidence φ.
///
/// For each candidate row, fit Gaussians to φ over the reference models that did not train
/// on it (OUT) and, online, over those that did (IN). Then score the target's φ:
///
///     online:   Λ = log N(φ; μ_in, σ_in²) − log N(φ; μ_out, σ_out²)
///     offline:  z = (φ − μ_out) / σ_out        (one-sided: members sit above OUT)
///
/// Means are per row; with few reference models per-row variances are too noisy, so — as
/// the paper recommends below 64 models — each variance is pooled over all rows ("global
/// variance"), the squared deviations from each row's own mean averaged with K − 1 degrees
/// of freedom per row.
public enum LiRAAttack {
  public enum Variant: String, Sendable, CaseIterable, Codable {
    case online, offline
    public var name: String { "lira-\(rawValue)" }
  }

  /// The membership score of each candidate row, given the target model's φ on it.
  public static func scores(
    target: [Double], references: ReferenceScores, variant: Variant
  ) -> [Double] {
    precondition(target.count == references.rowCount, "LiRA: one target score per row")
    let out = fit(references, inside: false)
    switch variant {
    case .offline:
      return target.indices.map { (target[$0] - out.means[$0]) / out.deviation }
    case .online:
      let inside = fit(references, inside: true)
      return target.indices.map {
        logDensity(target[$0], inside.means[$0], inside.deviation)
          - logDensity(target[$0], out.means[$0], out.deviation)
      }
    }
  }

  /// Runs the attack: members are the first `memberCount` candidates, the rest non-members.
  public static func run(
    _ variant: Variant, target: [Double], references: ReferenceScores, memberCount: Int,
    generator: inout SeededGenerator
  ) -> AttackResult {
    let s = scores(target: target, references: references, variant: variant)
    return AttackResult(
      name: variant.name, members: Array(s[..<memberCount]), nonMembers: Array(s[memberCount...]),
      crossFitting: &generator)
  }

  /// Per-row means and the pooled deviation of φ over the IN (or OUT) models of each row.
  static func fit(_ references: ReferenceScores, inside: Bool) -> (
    means: [Double], deviation: Double
  ) {
    var means = [Double](repeating: 0, count: references.rowCount)
    var squares = 0.0
    var freedom = 0
    for i in 0..<references.rowCount {
      let values = (0..<references.modelCount).compactMap {
        references.included[$0][i] == inside ? references.scores[$0][i] : nil
      }
      guard !values.isEmpty else { continue }
      let mean = values.reduce(0, +) / Double(values.count)
      means[i] = mean
      squares += values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
      freedom += values.count - 1
    }
    // A floor keeps the densities finite when every reference model agrees exactly
    // (deterministic convex models on the same rows).
    let deviation = max((squares / Double(max(freedom, 1))).squareRoot(), 1e-6)
    return (means, deviation)
  }

  static func logDensity(_ x: Double, _ mean: Double, _ deviation: Double) -> Double {
    let z = (x - mean) / deviation
    return -0.5 * z * z - log(deviation)
  }
}
