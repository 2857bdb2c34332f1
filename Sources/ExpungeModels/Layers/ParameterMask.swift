/// Which entries of a flat parameter buffer an update may change (SalUn's saliency mask, a
/// frozen layer). A masked-out entry is left exactly as it is by every step taken through
/// `LayeredNetwork`: its value, its optimizer moments (Adam's m and v, SGD's velocity) and
/// its weight decay are all skipped, not just its gradient zeroed — a zero gradient would
/// still move it through momentum and decay.
public struct ParameterMask: Sendable, Equatable {
  /// One flag per parameter: true where updates apply.
  public let trainable: [Bool]
  /// The maximal runs of trainable entries, in order.
  public let runs: [Range<Int>]

  public init(trainable: [Bool]) {
    self.trainable = trainable
    var runs: [Range<Int>] = []
    var start: Int?
    for (i, t) in trainable.enumerated() {
      if t, start == nil { start = i }
      if !t, let s = start {
        runs.append(s..<i)
        start = nil
      }
    }
    if let s = start { runs.append(s..<trainable.count) }
    self.runs = runs
  }

  /// Number of trainable entries.
  public var trainableCount: Int { runs.reduce(0) { $0 + $1.count } }
}

/// The runs of one optimizer step: where it applies and whether weight decay applies there
/// (weights yes, biases no), cut by the mask when there is one.
struct UpdateRuns: Sendable {
  let runs: [(range: Range<Int>, decays: Bool)]

  init(buffer: ParameterBuffer, mask: ParameterMask?) {
    if let mask {
      precondition(
        mask.trainable.count == buffer.count,
        "ParameterMask: \(mask.trainable.count) flags for \(buffer.count) parameters")
    }
    var runs: [(range: Range<Int>, decays: Bool)] = []
    for view in buffer.views {
      let decays = view.name.hasSuffix(".weight")
      guard let mask else {
        runs.append((view.range, decays))
        continue
      }
      for run in mask.runs {
        let lower = max(run.lowerBound, view.range.lowerBound)
        let upper = min(run.upperBound, view.range.upperBound)
        if lower < upper { runs.append((lower..<upper, decays)) }
      }
    }
    self.runs = runs
  }
}
