/// The receiver operating characteristic of a score that should be higher for members.
///
/// Built from both groups' scores: every distinct score is a threshold ("member if score ≥
/// t"), giving a point (FPR, TPR). The AUC is the Mann–Whitney probability that a random
/// member outscores a random non-member, ties counting one half — exactly the area under
/// the step curve.
public struct ROC: Sendable, Equatable {
  /// (false-positive rate, true-positive rate), from (0, 0) to (1, 1), FPR non-decreasing.
  public let points: [(fpr: Double, tpr: Double)]
  public let auc: Double

  public static func == (a: ROC, b: ROC) -> Bool {
    a.auc == b.auc && a.points.elementsEqual(b.points) { $0.fpr == $1.fpr && $0.tpr == $1.tpr }
  }

  public init(members: [Double], nonMembers: [Double]) {
    precondition(!members.isEmpty && !nonMembers.isEmpty, "ROC needs both groups")
    // Scores high to low; each distinct score moves the curve once, by all its ties.
    let labelled = (members.map { ($0, true) } + nonMembers.map { ($0, false) })
      .sorted { $0.0 > $1.0 }
    let (p, n) = (Double(members.count), Double(nonMembers.count))
    var points: [(fpr: Double, tpr: Double)] = [(0, 0)]
    var (tp, fp) = (0.0, 0.0)
    var area = 0.0
    var i = 0
    while i < labelled.count {
      let score = labelled[i].0
      var (dtp, dfp) = (0.0, 0.0)
      while i < labelled.count && labelled[i].0 == score {
        if labelled[i].1 { dtp += 1 } else { dfp += 1 }
        i += 1
      }
      area += dfp * (tp + dtp / 2)  // the trapezoid under a diagonal step = ties count half
      tp += dtp
      fp += dfp
      points.append((fp / n, tp / p))
    }
    self.points = points
    auc = area / (p * n)
  }

  /// The highest TPR among thresholds whose FPR is at most `fpr` (0 when none is).
  public func tpr(atFPR fpr: Double) -> Double {
    points.filter { $0.fpr <= fpr + 1e-12 }.map(\.tpr).max() ?? 0
  }

  /// The AUC's standard deviation when scores carry no membership signal (Hanley & McNeil
  /// under the null): √((n₁ + n₂ + 1) / (12 n₁ n₂)). Tests use it to say "within noise".
  public static func nullStandardDeviation(members: Int, nonMembers: Int) -> Double {
    let (a, b) = (Double(members), Double(nonMembers))
    return ((a + b + 1) / (12 * a * b)).squareRoot()
  }
}
