import ExpungeModels

/// What each SISA stage trains, for each model family.
///
/// **MLP — the epochs-per-slice rule.** Stage r trains on slices 0…r, so with the same
/// epochs per stage it sees (r + 1)/R of the shard. Giving every stage
///
///     e_s = max(1, round(2e / (R + 1)))
///
/// epochs makes the total work Σ_r e_s·(r + 1)/R = e_s·(R + 1)/2 passes over the shard — e
/// passes, the compute of plain training with `epochs = e`, as in the paper. Stage r runs
/// the absolute epochs r·e_s ..< (r + 1)·e_s, so its shuffles differ from the previous
/// stage's, and it continues the previous stage's parameters and optimizer state.
///
/// **Convex models.** Stage r solves the objective on slices 0…r to the configured
/// tolerance, warm-started from stage r − 1's solution (stage 0 from θ = 0); ridge re-solves
/// in closed form. With R = 1 both are plain training.
public enum SliceSchedule {
  /// e_s for `epochs` e and `slices` R.
  public static func epochsPerStage(epochs: Int, slices: Int) -> Int {
    guard slices > 1 else { return epochs }
    return max(1, Int((2 * Double(epochs) / Double(slices + 1)).rounded()))
  }

  /// The absolute epochs stage `stage` of an MLP trains.
  public static func epochs(stage: Int, epochs: Int, slices: Int) -> Range<Int> {
    let e = epochsPerStage(epochs: epochs, slices: slices)
    return (stage * e)..<((stage + 1) * e)
  }
}
