import ExpungeCore
import ExpungeData

/// The rows an audit's attacks compare, drawn once by the audit's seed.
///
/// Non-members: half the test rows calibrate thresholds (against as many kept rows, the
/// members) and train the shadow models; of the other half, as many as there are forgotten
/// rows are judged against them.
struct AuditRows {
  var calibration: Dataset
  var judged: Dataset
  var members: Dataset
  /// The three sets as rows of the test and kept rows, so a model answers about each once
  /// (`AuditedModel.remembering`).
  var subsets: [RowSubset]

  init(test: Dataset, retain: Dataset, forgottenCount: Int, seed: UInt64) {
    var rng = SeededGenerator(seed: seed).derived("audit")
    let order = rng.permutation(test.count)
    let calibrationRows = Array(order.prefix(test.count / 2).sorted())
    let judgedRows = Array(
      order.dropFirst(test.count / 2).prefix(max(forgottenCount, 1)).sorted())
    let memberRows = rng.choice(retain.count, min(retain.count, calibrationRows.count)).sorted()
    calibration = test.subset(calibrationRows)
    judged = test.subset(judgedRows)
    members = retain.subset(memberRows)
    subsets = [
      RowSubset(whole: test.features, rows: calibrationRows, part: calibration.features),
      RowSubset(whole: test.features, rows: judgedRows, part: judged.features),
      RowSubset(whole: retain.features, rows: memberRows, part: members.features),
    ]
  }
}
