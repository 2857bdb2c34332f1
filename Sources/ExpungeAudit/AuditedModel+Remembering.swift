import ExpungeCore
import Foundation

/// Rows `rows` of `whole`, gathered into `part`: an answer about `part` is those rows of the
/// answer about `whole`, since a model answers each row on its own.
public struct RowSubset: Sendable {
  public var whole: Matrix
  public var rows: [Int]
  public var part: Matrix

  public init(whole: Matrix, rows: [Int], part: Matrix) {
    precondition(
      part.rows == rows.count && part.cols == whole.cols,
      "RowSubset: \(part.rows)×\(part.cols) part of \(rows.count) rows of a \(whole.rows)×\(whole.cols) matrix"
    )
    self.whole = whole
    self.rows = rows
    self.part = part
  }
}

extension AuditedModel {
  /// The same model, answering a repeated input from memory: an audit asks one model about
  /// the same row sets several times (metrics, threshold attacks, MIA-efficacy, shadow and
  /// LiRA), and for a SISA ensemble each answer is a forward pass through every shard.
  /// Inputs are matched by value (`Matrix ==`, which is O(1) for copies sharing storage); an
  /// input that is one of `subsets`' parts is answered with rows of the answer about its
  /// whole. The outputs are a few columns per row, so remembering them costs little.
  public func remembering(subsets: [RowSubset] = []) -> AuditedModel {
    let memory = OutputMemory()
    let outputs = self.outputs
    @Sendable func answer(_ x: Matrix) -> (scores: Matrix, posteriors: Matrix) {
      if let known = memory.lookUp(x) { return known }
      let computed: (scores: Matrix, posteriors: Matrix)
      if let subset = subsets.first(where: { $0.part == x }) {
        let whole = answer(subset.whole)
        computed = (whole.scores.gatherRows(subset.rows), whole.posteriors.gatherRows(subset.rows))
      } else {
        computed = outputs(x)
      }
      memory.store(x, computed)
      return computed
    }
    var copy = self
    copy.outputs = answer
    return copy
  }
}

/// The inputs an `AuditedModel` has answered and its answers, safe to share across threads.
private final class OutputMemory: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [(input: Matrix, output: (scores: Matrix, posteriors: Matrix))] = []

  func lookUp(_ x: Matrix) -> (scores: Matrix, posteriors: Matrix)? {
    lock.withLock { entries.first { $0.input == x }?.output }
  }

  func store(_ x: Matrix, _ output: (scores: Matrix, posteriors: Matrix)) {
    lock.withLock { entries.append((x, output)) }
  }
}
