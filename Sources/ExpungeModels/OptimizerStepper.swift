/// An optimizer's update rule bound to its state's buffers for the length of a training loop,
/// so that one step can be applied piece by piece: each layer's parameters right after their
/// gradient is final, in chunks on several threads.
///
/// `begin()` starts a step (Adam's t advances once); the returned `Step` then updates any
/// ranges of the parameters, in any order and on any threads, as long as the ranges of one
/// step are disjoint and together cover every parameter. Each element's update is the same
/// arithmetic as `OptimizerState.apply`, so the result is the same bits however the step was
/// cut.
public struct OptimizerStepper {
  let kind: OptimizerKind
  let firstMoment: UnsafeMutablePointer<Float>
  let secondMoment: UnsafeMutablePointer<Float>?
  let learningRate: Double
  let momentum: Double
  /// Updates applied so far.
  public private(set) var step: Int

  /// One step's constants and buffers; see the type's description.
  public struct Step: @unchecked Sendable {
    let kind: OptimizerKind
    let firstMoment: UnsafeMutablePointer<Float>
    let secondMoment: UnsafeMutablePointer<Float>?
    // Adam: α/(1 − β₁ᵗ) and 1/√(1 − β₂ᵗ); SGD: α and μ.
    let a: Float
    let b: Float

    /// Updates the parameters in `range` (flat indices) from their gradients.
    /// - Complexity: O(range.count).
    public func apply(
      _ range: Range<Int>, gradients: UnsafePointer<Float>,
      parameters: UnsafeMutablePointer<Float>
    ) {
      let i = range.lowerBound
      switch kind {
      case .adam:
        Adam.kernel(
          parameters + i, UnsafeMutablePointer(mutating: gradients) + i, firstMoment + i,
          secondMoment! + i, range.count, a, b)
      case .sgd:
        SGD.kernel(parameters + i, gradients + i, firstMoment + i, range.count, a, b)
      }
    }
  }

  /// Advances the step count and returns the step's update.
  public mutating func begin() -> Step {
    step += 1
    switch kind {
    case .adam:
      let (stepSize, inverseRoot2) = Adam.constants(learningRate: learningRate, step: step)
      return Step(
        kind: kind, firstMoment: firstMoment, secondMoment: secondMoment, a: stepSize,
        b: inverseRoot2)
    case .sgd:
      return Step(
        kind: kind, firstMoment: firstMoment, secondMoment: nil, a: Float(learningRate),
        b: Float(momentum))
    }
  }
}

extension OptimizerState {
  /// Runs `body` with a stepper over this state's buffers; the steps it takes are counted in
  /// `step` when it returns (or throws).
  public mutating func withStepper<R>(
    learningRate: Double, momentum: Double, _ body: (inout OptimizerStepper) throws -> R
  ) rethrows -> R {
    let (kind, start) = (self.kind, step)
    var taken = start
    defer { step = taken }
    return try firstMoment.withUnsafeMutableBufferPointer { m in
      try secondMoment.withUnsafeMutableBufferPointer { v in
        var stepper = OptimizerStepper(
          kind: kind, firstMoment: m.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!,
          secondMoment: v.baseAddress, learningRate: learningRate, momentum: momentum,
          step: start)
        defer { taken = stepper.step }
        return try body(&stepper)
      }
    }
  }
}
