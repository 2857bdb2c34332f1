import ExpungeCore

extension SISAAggregation {
  /// Combines the shard models' class probabilities (each `rows × K`) into the ensemble's
  /// `rows × K` scores: vote shares for `.vote`, mean probabilities for `.meanProbability`,
  /// optionally weighted (weights need not sum to 1; they are normalized).
  public func combine(_ shardProbabilities: [Matrix], weights: [Double]? = nil) -> Matrix {
    precondition(!shardProbabilities.isEmpty, "combine: no shard outputs")
    let (rows, k) = (shardProbabilities[0].rows, shardProbabilities[0].cols)
    let w = weights ?? [Double](repeating: 1, count: shardProbabilities.count)
    precondition(w.count == shardProbabilities.count, "combine: one weight per shard")
    let total = w.reduce(0, +)
    var scores = [Double](repeating: 0, count: rows * k)
    for (s, p) in shardProbabilities.enumerated() {
      precondition(p.rows == rows && p.cols == k, "combine: shard outputs differ in shape")
      let share = w[s] / total
      switch self {
      case .vote:
        for (i, c) in p.argmaxRows().enumerated() { scores[i * k + c] += share }
      case .meanProbability:
        for i in 0..<(rows * k) { scores[i] += share * Double(p.storage[i]) }
      }
    }
    return Matrix(rows: rows, cols: k, storage: scores.map { Float($0) })
  }
}
