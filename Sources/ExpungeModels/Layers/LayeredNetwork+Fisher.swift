import ExpungeCore

extension LayeredNetwork {
  /// The diagonal of the empirical Fisher information on `(x, targets)`:
  ///
  ///     F_jj = (1/n) Σᵢ (∂ℓᵢ/∂θⱼ)²
  ///
  /// (Golatkar et al.'s Fisher forgetting scales its noise by it; SSD compares it between
  /// the forget and the retain rows). The per-example gradients are computed one example
  /// at a time within minibatches of `batchSize` rows; a minibatch's squares are summed in
  /// its own buffer and the minibatches are added in order, so the bits do not depend on
  /// the thread count.
  ///
  /// - Parameter batchSize: examples per minibatch (default 64), ≥ 1.
  /// - Complexity: n backward passes of one example, O(P · n / batchSize) memory at most
  ///   64 minibatch buffers at a time.
  public func fisherDiagonal(_ x: Matrix, targets: SoftmaxTargets, batchSize: Int = 64)
    -> [Float]
  {
    checkTargets(targets, rows: x.rows)
    precondition(batchSize >= 1, "fisherDiagonal: batch size \(batchSize)")
    let (n, d, k, p) = (x.rows, inputCount, classCount, parameters.count)
    guard n > 0 else { return [Float](repeating: 0, count: p) }
    let batches = (n + batchSize - 1) / batchSize
    var fisher = [Double](repeating: 0, count: p)
    let network = self
    // At most 64 minibatch buffers are alive at once: groups of 64 minibatches in order.
    for group in stride(from: 0, to: batches, by: 64) {
      let count = min(64, batches - group)
      let sums = x.storage.withUnsafeBufferPointer { xs in
        let source = SendablePointer(UnsafeMutablePointer(mutating: xs.baseAddress!))
        return parallelChunks(count, minimumChunk: 1) { chunk -> [[Float]] in
          chunk.map { c in
            let first = (group + c) * batchSize
            let rows = min(batchSize, n - first)
            return network.squaredGradientSum(
              source.pointer + first * d, first: first, rows: rows, targets: targets,
              classes: k)
          }
        }
      }
      for chunk in sums {
        for batchSum in chunk {
          for j in 0..<p { fisher[j] += Double(batchSum[j]) }
        }
      }
    }
    return fisher.map { Float($0 / Double(n)) }
  }

  /// `Σᵢ (∇ℓᵢ)²` over `rows` examples starting at `x`, one backward pass each.
  private func squaredGradientSum(
    _ x: UnsafePointer<Float>, first: Int, rows: Int, targets: SoftmaxTargets, classes k: Int
  ) -> [Float] {
    let p = parameters.count
    var sum = [Float](repeating: 0, count: p)
    var g = [Float](repeating: 0, count: p)
    let workspace = LayerStackWorkspace(stack: stack, capacity: 1)
    let d = inputCount
    parameters.values.withUnsafeBufferPointer { theta in
      g.withUnsafeMutableBufferPointer { gp in
        sum.withUnsafeMutableBufferPointer { sp in
          for r in 0..<rows {
            workspace.forward(x + r * d, rows: 1, parameters: theta.baseAddress!)
            _ = targets.lossAndGradient(
              workspace.logits, first: first + r, rows: 1, classes: k, weights: nil, scale: 1)
            workspace.backward(
              x + r * d, rows: 1, parameters: theta.baseAddress!, gradients: gp.baseAddress!,
              accumulate: false)
            for j in 0..<p { sp[j] += gp[j] * gp[j] }
          }
        }
      }
    }
    return sum
  }
}
