import ExpungeCore
import ExpungeData

/// How a layered network takes optimizer steps.
public struct TrainingSettings: Sendable, Hashable {
  /// Rows per minibatch, ≥ 1.
  public var batchSize: Int
  /// α > 0.
  public var learningRate: Double
  /// SGD momentum μ in [0, 1) (unused by Adam).
  public var momentum: Double
  /// λ ≥ 0, added to weight gradients as λw (not to biases, not to masked entries).
  public var weightDecay: Double
  /// Seeds every epoch's row order.
  public var seed: UInt64

  public init(
    batchSize: Int, learningRate: Double, momentum: Double = 0.9, weightDecay: Double = 0,
    seed: UInt64 = 0
  ) {
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.seed = seed
  }
}

extension LayeredNetwork {
  /// Applies one optimizer step to the parameters from the gradient `g` (weight decay not
  /// yet added), only where `runs` say, chunk by chunk on the pool. Each element's update is
  /// the optimizer's own arithmetic, so the cut changes no bits.
  static func applyStep(
    _ step: OptimizerStepper.Step, runs: UpdateRuns, weightDecay: Float,
    gradients g: UnsafeMutablePointer<Float>, parameters theta: UnsafeMutablePointer<Float>
  ) {
    let (gp, tp) = (SendablePointer(g), SendablePointer(theta))
    for (run, decays) in runs.runs {
      parallelFor(run.count, minimumChunk: Adam.parallelChunk) { chunk in
        let range = (run.lowerBound + chunk.lowerBound)..<(run.lowerBound + chunk.upperBound)
        if decays && weightDecay > 0 {
          for i in range { gp[i] += weightDecay * tp[i] }
        }
        step.apply(range, gradients: gp.pointer, parameters: tp.pointer)
      }
    }
  }

  /// One optimizer step on the weighted mean loss of a batch:
  ///
  ///     θ ← step(θ, (1/B) Σᵢ wᵢ ∇ℓᵢ + λw)       only where `mask` is true
  ///
  /// the building block of fine-tuning, gradient ascent (negative weights), NegGrad+,
  /// distillation to a teacher (`.teacher` targets) and masked methods (SalUn).
  /// - Returns: the batch's weighted mean loss before the step.
  @discardableResult
  public mutating func step(
    _ x: Matrix, targets: SoftmaxTargets, rowWeights: [Float]? = nil,
    optimizerState state: inout OptimizerState, settings: TrainingSettings,
    mask: ParameterMask? = nil
  ) -> Double {
    precondition(
      state.parameterCount == parameters.count,
      "optimizer state for \(state.parameterCount) parameters, the network has \(parameters.count)")
    let (loss, gradient) = lossAndGradient(x, targets: targets, rowWeights: rowWeights)
    var g = gradient  // (P) weight decay is added in place, run by run
    let runs = UpdateRuns(buffer: parameters, mask: mask)
    let lambda = Float(settings.weightDecay)
    g.withUnsafeMutableBufferPointer { gp in
      parameters.values.withUnsafeMutableBufferPointer { tp in
        state.withStepper(learningRate: settings.learningRate, momentum: settings.momentum) {
          stepper in
          Self.applyStep(
            stepper.begin(), runs: runs, weightDecay: lambda, gradients: gp.baseAddress!,
            parameters: tp.baseAddress!)
        }
      }
    }
    return loss
  }

  /// Trains in place on hard labels for the absolute epochs `epochs`.
  ///
  /// Epoch `e` visits the rows in the order `SeededGenerator(seed: settings.seed)
  /// .derived("epoch").derived(e).permutation(n)` in batches of `batchSize` (the last one
  /// smaller) and takes one step per batch on the batch's mean cross-entropy (+ λw). The
  /// whole optimizer memory is in `optimizerState`, so `0..<E` in one call gives the same
  /// bits as `0..<e` then `e..<E` (SISA's checkpoints rely on it).
  ///
  /// - Parameters:
  ///   - mask: when given, only its trainable entries move (see `ParameterMask`).
  ///   - model: the name errors use ("CNN").
  /// - Throws: `ModelError.diverged` for a non-finite epoch loss.
  public mutating func train(
    on data: Dataset, epochs: Range<Int>, optimizerState state: inout OptimizerState,
    settings: TrainingSettings, mask: ParameterMask? = nil, validation: Dataset? = nil,
    observer: TrainingObserver? = nil, model: String = "network"
  ) throws {
    precondition(epochs.lowerBound >= 0, "train: negative epoch \(epochs.lowerBound)")
    precondition(data.featureCount == inputCount, "train: data width \(data.featureCount)")
    guard !epochs.isEmpty, !data.isEmpty else { return }
    let n = data.count
    let batch = min(settings.batchSize, n)
    let batchesPerEpoch = (n + batch - 1) / batch
    let k = classCount
    let lambda = Float(settings.weightDecay)
    let runs = UpdateRuns(buffer: parameters, mask: mask)
    let epochRoot = SeededGenerator(seed: settings.seed).derived("epoch")
    let workspace = LayerStackWorkspace(stack: stack, capacity: batch)
    var theta = parameters.values  // (P) the parameters being trained
    var dtheta = [Float](repeating: 0, count: parameters.count)  // (P) the batch gradient
    var batchesDone = 0
    try theta.withUnsafeMutableBufferPointer { thetaBuffer in
      try dtheta.withUnsafeMutableBufferPointer { dthetaBuffer in
        try data.features.storage.withUnsafeBufferPointer { xs in
          try data.labels.withUnsafeBufferPointer { ys in
            try state.withStepper(
              learningRate: settings.learningRate, momentum: settings.momentum
            ) { stepper in
              let (tp, gp) = (thetaBuffer.baseAddress!, dthetaBuffer.baseAddress!)
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
                    workspace.backward(
                      workspace.input, rows: rows, parameters: tp, gradients: gp,
                      accumulate: false)
                    Self.applyStep(
                      stepper.begin(), runs: runs, weightDecay: lambda, gradients: gp,
                      parameters: tp)
                    batchesDone += 1
                    if let observer, (b + 1) % MLP.batchProgressInterval == 0,
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
                    model: model, reason: "the mean training loss of epoch \(epoch) is \(meanLoss)")
                }
                if let observer {
                  let accuracy = validation.map { v -> Double in
                    let current = withParameterValues(Array(thetaBuffer))
                    let predicted = current.logits(v.features).argmaxRows()
                    let correct = zip(predicted, v.labels).filter { $0 == Int($1) }.count
                    return Double(correct) / Double(v.count)
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
}
