import ExpungeCore
import ExpungeData

extension MLP {
  /// How often (in batches) `train` reports a `"batch"` progress event between epochs, so a
  /// progress bar can move within an epoch (469 batches per Fashion-MNIST epoch at batch 128
  /// give 9 such events). Every epoch always ends with an `"epoch"` event.
  public static let batchProgressInterval = 50

  /// Trains a new network on `data` for `config.epochs` epochs.
  ///
  /// Equivalent to `MLP(config:featureCount:classCount:)` followed by
  /// `train(on:epochs: 0..<config.epochs, optimizerState:…)` with a fresh optimizer state.
  /// The class count is `data.classCount`.
  ///
  /// - Parameters:
  ///   - data: training rows; not copied (minibatches are gathered into one reusable buffer).
  ///   - validation: optional rows whose accuracy is reported after every epoch.
  ///   - config: hyperparameters (default `MLPConfig()`: one hidden layer of 256 ReLU units,
  ///     Adam, learning rate 1e-3, batch 128, 10 epochs, seed 0).
  ///   - observer: receives an `"epoch"` event after every epoch (`loss`: the mean over the
  ///     epoch's rows of the loss their batch had before its step; `validationAccuracy` when
  ///     `validation` is given) and, every `batchProgressInterval` batches within an epoch, a
  ///     `"batch"` event (`loss`: the same mean over the epoch's rows so far).
  /// - Throws: `ModelError.invalidHyperparameter`, `.invalidTrainingData` (no rows, one class,
  ///   labels out of range, NaN or ±∞ features), `.featureCountMismatch` (validation width),
  ///   `.diverged` (non-finite loss).
  /// - Complexity: per epoch ≈ 6·n·Σ_l widths[l]·widths[l+1] flops (less the first layer's
  ///   input gradient), O(batchSize · Σ widths) extra memory.
  public static func fit(
    _ data: Dataset, validation: Dataset? = nil, config: MLPConfig = .init(),
    observer: TrainingObserver? = nil
  ) throws -> MLP {
    try validate(config)
    return try trainedFromScratch(
      data, validation: validation, config: config, observer: observer)
  }

  /// Continues training in place for the epochs `epochs` (absolute indices), updating
  /// `optimizerState`.
  ///
  /// Epoch `e` visits the rows in the order `SeededGenerator(seed: config.seed)
  /// .derived("epoch").derived(e).permutation(n)`, in batches of `config.batchSize` rows (the
  /// last one smaller), and takes one optimizer step per batch on
  ///
  ///     g = (1/B) Σ_{i ∈ batch} ∇_θ ℓ(xᵢ, yᵢ) + λ·w       (λ = weightDecay, weights only)
  ///
  /// Because every epoch's order depends only on the seed and `e`, and the optimizer's whole
  /// memory is in `optimizerState`, training `0..<E` in one call gives the same bits as
  /// `0..<e` then `e..<E` from the saved parameters and state (SISA checkpoints rely on it).
  ///
  /// - Parameters:
  ///   - data: training rows (width `featureCount`, labels in `0..<classCount`); not copied.
  ///   - epochs: the absolute epoch indices to run, e.g. `3..<10`; empty does nothing.
  ///   - optimizerState: from `makeOptimizerState()` or a checkpoint; must match
  ///     `config.optimizer` and the parameter count. On a thrown error it holds the state at
  ///     the failure and the model is unchanged.
  ///   - validation: optional rows whose accuracy each `"epoch"` event reports.
  ///   - observer: progress events (see `fit`).
  /// - Throws: as `fit`, and `ModelError.layoutMismatch` for an optimizer state of another
  ///   kind or size.
  public mutating func train(
    on data: Dataset, epochs: Range<Int>, optimizerState state: inout OptimizerState,
    validation: Dataset? = nil, observer: TrainingObserver? = nil
  ) throws {
    precondition(epochs.lowerBound >= 0, "MLP.train: negative epoch \(epochs.lowerBound)")
    try validateData(data, role: "training")
    if let validation { try validateData(validation, role: "validation") }
    guard state.kind == config.optimizer && state.parameterCount == parameters.count else {
      throw ModelError.layoutMismatch(
        name: "optimizer state (\(state.kind.rawValue))", expectedShape: [parameters.count],
        actualShape: [state.parameterCount])
    }
    guard !epochs.isEmpty else { return }

    let n = data.count
    let batch = min(config.batchSize, n)
    let batchesPerEpoch = (n + batch - 1) / batch
    let count = parameters.count
    let k = classCount
    let lambda = Float(config.weightDecay)
    let (learningRate, momentum) = (config.learningRate, config.momentum)
    let epochRoot = SeededGenerator(seed: config.seed).derived("epoch")
    let workspace = MLPWorkspace(geometry: geometry, capacity: batch, gathersInput: true)
    var theta = parameters.values  // (P) the parameters being trained
    var dtheta = [Float](repeating: 0, count: count)  // (P) the batch gradient
    var batchesDone = 0

    try theta.withUnsafeMutableBufferPointer { thetaBuffer in
      try dtheta.withUnsafeMutableBufferPointer { dthetaBuffer in
        try data.features.storage.withUnsafeBufferPointer { xs in
          try data.labels.withUnsafeBufferPointer { ys in
            try state.withStepper(learningRate: learningRate, momentum: momentum) { stepper in
              let tp = thetaBuffer.baseAddress!
              let gp = dthetaBuffer.baseAddress!
              for epoch in epochs {
                var shuffler = epochRoot.derived(UInt64(epoch))
                let order = shuffler.permutation(n)  // (n) row order of this epoch
                var lossSum = 0.0
                order.withUnsafeBufferPointer { op in
                  for b in 0..<batchesPerEpoch {
                    let start = b * batch
                    let rows = min(batch, n - start)
                    workspace.gather(
                      xs.baseAddress!, labels: ys.baseAddress!, order: op.baseAddress!,
                      start: start, rows: rows)
                    workspace.forward(workspace.input, rows: rows, parameters: tp)
                    lossSum += CrossEntropy.forwardBackward(
                      workspace.logits, labels: workspace.labels, rows: rows, classes: k,
                      scale: 1 / Float(rows))
                    // Each layer's parameters take their step as soon as their gradient is
                    // final (weight decay first, on weights), in chunks on the pool.
                    let update = stepper.begin()
                    workspace.backward(
                      workspace.input, rows: rows, parameters: tp, gradients: gp,
                      accumulate: false
                    ) { run, isWeight in
                      let (g, t) = (SendablePointer(gp), SendablePointer(tp))
                      parallelFor(run.count, minimumChunk: Adam.parallelChunk) { chunk in
                        let range =
                          (run.lowerBound + chunk.lowerBound)..<(run.lowerBound + chunk.upperBound)
                        if isWeight && lambda > 0 {
                          for i in range { g[i] += lambda * t[i] }
                        }
                        update.apply(range, gradients: g.pointer, parameters: t.pointer)
                      }
                    }
                    batchesDone += 1
                    if let observer, (b + 1) % Self.batchProgressInterval == 0,
                      b + 1 < batchesPerEpoch
                    {
                      observer(
                        TrainingProgress(
                          unit: "batch", completed: batchesDone,
                          total: batchesPerEpoch * epochs.count,
                          loss: lossSum / Double(start + rows)))
                    }
                  }
                }
                let meanLoss = lossSum / Double(n)
                guard meanLoss.isFinite else {
                  throw ModelError.diverged(
                    model: "MLP", reason: "the mean training loss of epoch \(epoch) is \(meanLoss)")
                }
                if let observer {
                  let accuracy = validation.map {
                    Self.accuracy(geometry: geometry, parameters: UnsafePointer(tp), $0)
                  }
                  observer(
                    TrainingProgress(
                      unit: "epoch", completed: epoch + 1, total: epochs.upperBound,
                      loss: meanLoss, validationAccuracy: accuracy))
                }
              }
            }
          }
        }
      }
    }
    parameters.values = theta
  }

  /// Accuracy of the network with parameters `theta` on `data`, chunked like inference.
  static func accuracy(
    geometry: MLPGeometry, parameters theta: UnsafePointer<Float>, _ data: Dataset
  ) -> Double {
    let n = data.count
    let d = geometry.inputWidth
    let k = geometry.classCount
    let workspace = MLPWorkspace(
      geometry: geometry, capacity: min(n, MLPChunking.rows), gathersInput: false)
    var correct = 0
    data.features.storage.withUnsafeBufferPointer { xs in
      for start in stride(from: 0, to: n, by: MLPChunking.rows) {
        let rows = min(MLPChunking.rows, n - start)
        workspace.forward(xs.baseAddress! + start * d, rows: rows, parameters: theta)
        for r in 0..<rows {
          let z = workspace.logits + r * k
          var best = 0
          for c in 1..<k where z[c] > z[best] { best = c }
          if best == Int(data.labels[start + r]) { correct += 1 }
        }
      }
    }
    return Double(correct) / Double(n)
  }
}
