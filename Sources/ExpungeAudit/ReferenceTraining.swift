import ExpungeCore
import ExpungeData

/// Trains a model by the audited model's recipe on some rows: `seed` nil keeps the recipe's
/// own seeds, a value replaces them. The attacks that need reference models (shadow, LiRA,
/// ε-score) take one, so they work the same for a plain model and a SISA ensemble.
public typealias RecipeTrainer = (_ rows: Dataset, _ seed: UInt64?) throws -> AuditedModel

/// The seeds of an attack's reference models: model k of `role` gets its own stream derived
/// from the audit's seed, so adding a role or a model never changes the others.
public enum ReferenceSeeds {
  public static func seed(_ auditSeed: UInt64, role: String, model k: Int) -> UInt64 {
    var rng = SeededGenerator(seed: auditSeed).derived(role).derived(UInt64(k))
    return rng.next()
  }
}
