import ExpungeCore
import ExpungeData

/// LiRA's reference models, trained once and applied to every audited model.
///
/// The candidates are the rows judged — the forgotten rows (members of the original) and as
/// many test rows (members of nothing) — and each of the K reference models trains on the
/// kept rows plus ⌊K/2⌋-of-K chosen half of the candidates, so every candidate has models
/// that saw it (IN, for the online attack) and models that did not (OUT, for both).
public struct LiRAReferences: Sendable {
  public var candidates: Dataset
  /// The first `memberCount` candidates are the forgotten rows.
  public var memberCount: Int
  public var references: ReferenceScores

  /// Trains the reference models (side by side on several threads when that keeps them
  /// busy: `train` must be safe to call so) and records their logit-scaled confidence on
  /// every candidate; the models themselves are dropped.
  public static func train(
    retain: Dataset, forget: Dataset, nonMembers: Dataset, models: Int, seed: UInt64,
    train: RecipeTrainer, progress: (() -> Void)? = nil
  ) throws -> LiRAReferences {
    let candidates = forget.appending(nonMembers)
    var rng = SeededGenerator(seed: seed).derived("lira-inclusion")
    let included = ReferenceScores.balancedInclusion(
      models: models, rows: candidates.count, generator: &rng)
    let report = SerializedProgress(progress)
    let scores = try concurrentMap(models) { k in
      let rows = retain.appending(
        candidates.subset(candidates.ids.indices.filter { included[k][$0] }))
      let model = try train(rows, ReferenceSeeds.seed(seed, role: "lira", model: k))
      report.call { $0?() }
      return MembershipSignal.logitScaledConfidence(
        model.posteriors(candidates.features), labels: candidates.labels)
    }
    return LiRAReferences(
      candidates: candidates, memberCount: forget.count,
      references: ReferenceScores(scores: scores, included: included))
  }

  /// The attack's verdict on `target`.
  public func run(_ variant: LiRAAttack.Variant, target: AuditedModel, seed: UInt64)
    -> AttackResult
  {
    var rng = SeededGenerator(seed: seed).derived(variant.name)
    return LiRAAttack.run(
      variant,
      target: MembershipSignal.logitScaledConfidence(
        target.posteriors(candidates.features), labels: candidates.labels),
      references: references, memberCount: memberCount, generator: &rng)
  }
}
