import ExpungeCore
import Foundation

extension AuditedModel {
  /// The same model, answering a repeated input from memory: an audit asks one model about
  /// the same row sets several times (metrics, threshold attacks, MIA-efficacy), and for a
  /// SISA ensemble each answer is a forward pass through every shard. Inputs are matched by
  /// value (`Matrix ==`, which is O(1) for copies sharing storage); the outputs are a few
  /// columns per row, so remembering them costs little.
  public func remembering() -> AuditedModel {
    let memory = OutputMemory()
    let outputs = self.outputs
    var copy = self
    copy.outputs = { x in
      if let known = memory.lookUp(x) { return known }
      let computed = outputs(x)
      memory.store(x, computed)
      return computed
    }
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
