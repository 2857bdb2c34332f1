import ExpungeData

extension Audit {
  /// The attacks with reference models — shadow, LiRA, the ε-score — each trained once and
  /// applied to every audited model: appends their results to `reports` (in `audited`'s
  /// order) and returns the ε-score, if it ran (it needs the subject's unlearning method).
  static func runReferenceAttacks(
    _ reports: inout [AuditReport.Model], audited: [AuditedModel], subject: AuditSubject,
    rows: AuditRows, attacks: [AuditAttack], options: AuditOptions,
    progress: ((_ completed: Int, _ total: Int) -> Void)?, timer: inout StageTimer
  ) throws -> EpsilonScore? {
    let (k, seed, forget) = (options.referenceModels, options.seed, subject.forget)
    let epsilonRuns = attacks.contains(.epsilonScore) && subject.trainAndUnlearn != nil ? k : 0
    let total =
      (attacks.contains(.shadow) ? k : 0)
      + (attacks.contains { $0.liraVariant != nil } ? k : 0) + 2 * epsilonRuns
    var done = 0
    if total > 0 { progress?(0, total) }
    let tick = {
      done += 1
      progress?(done, total)
    }
    if attacks.contains(.shadow) {
      let shadow = try timer.time(AuditAttack.shadow.rawValue) {
        try ShadowModelAttack.train(
          heldOut: rows.calibration, models: k, seed: seed, train: subject.train,
          progress: tick)
      }
      for i in reports.indices {
        reports[i].attacks.append(
          timer.time(AuditAttack.shadow.rawValue) {
            shadow.run(audited[i], forget: forget, test: rows.judged)
          })
      }
    }
    let variants = attacks.compactMap(\.liraVariant)
    if !variants.isEmpty {
      let stage = variants.map(\.name).joined(separator: "+")
      let references = try timer.time(stage) {
        try LiRAReferences.train(
          retain: subject.retain, forget: forget, nonMembers: rows.judged, models: k,
          seed: seed, train: subject.train, progress: tick)
      }
      for i in reports.indices {
        for variant in variants {
          reports[i].attacks.append(
            timer.time(stage) { references.run(variant, target: audited[i], seed: seed) })
        }
      }
    }
    guard epsilonRuns > 0, let unlearn = subject.trainAndUnlearn else { return nil }
    return try timer.time(AuditAttack.epsilonScore.rawValue) {
      try EpsilonScore.measure(
        forget: forget, models: k, seed: seed, unlearn: unlearn,
        retrain: subject.trainRetained, progress: tick)
    }
  }
}
