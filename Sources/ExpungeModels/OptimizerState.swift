/// Everything an optimizer carries from one step to the next, as flat buffers laid out like
/// the model's parameters, so a checkpoint is the parameters plus these arrays plus `step`.
///
/// - Adam: `firstMoment` is m, `secondMoment` is v, `step` is t (updates applied so far).
/// - SGD: `firstMoment` is the momentum buffer u, `secondMoment` is empty.
///
/// SISA checkpoints save it next to the parameters; resuming training from (parameters,
/// state) at epoch e gives the same bits as never having stopped. `asParameterBuffer()` and
/// `init(kind:step:buffer:)` convert to and from named tensors for safetensors files (the
/// step count goes in the file's metadata).
public struct OptimizerState: Sendable, Equatable {
  /// Which update rule these buffers belong to.
  public var kind: OptimizerKind
  /// Number of updates applied so far (Adam's t before the next step).
  public var step: Int
  /// Adam's first moment m, or SGD's velocity u; one entry per parameter.
  public var firstMoment: [Float]
  /// Adam's second moment v, one entry per parameter; empty for SGD.
  public var secondMoment: [Float]

  /// The state before the first update: zero moments, step 0.
  public init(kind: OptimizerKind, parameterCount: Int) {
    precondition(parameterCount >= 0, "OptimizerState: negative parameter count \(parameterCount)")
    self.kind = kind
    self.step = 0
    self.firstMoment = [Float](repeating: 0, count: parameterCount)
    self.secondMoment = kind == .adam ? [Float](repeating: 0, count: parameterCount) : []
  }

  /// A state from saved parts; the buffer lengths must fit `kind`.
  public init(kind: OptimizerKind, step: Int, firstMoment: [Float], secondMoment: [Float]) {
    precondition(step >= 0, "OptimizerState: negative step \(step)")
    precondition(
      secondMoment.count == (kind == .adam ? firstMoment.count : 0),
      "OptimizerState(\(kind)): first moment has \(firstMoment.count) entries, second moment \(secondMoment.count)"
    )
    self.kind = kind
    self.step = step
    self.firstMoment = firstMoment
    self.secondMoment = secondMoment
  }

  /// Number of parameters the state is for.
  public var parameterCount: Int { firstMoment.count }

  /// The buffers as named tensors: `first_moment` `[n]` and, for Adam, `second_moment` `[n]`.
  public func asParameterBuffer() -> ParameterBuffer {
    var views = [ParameterBuffer.View(name: "first_moment", shape: [parameterCount], offset: 0)]
    var values = firstMoment
    if kind == .adam {
      views.append(
        ParameterBuffer.View(name: "second_moment", shape: [parameterCount], offset: parameterCount)
      )
      values += secondMoment
    }
    return ParameterBuffer(views: views, values: values)
  }

  /// Rebuilds a state from `asParameterBuffer()`'s tensors and the saved step count.
  /// - Throws: `ModelError.layoutMismatch` when a tensor is missing or has the wrong length.
  public init(kind: OptimizerKind, step: Int, buffer: ParameterBuffer, parameterCount: Int) throws {
    func tensor(_ name: String) throws -> [Float] {
      guard let v = buffer.views.first(where: { $0.name == name }) else {
        throw ModelError.layoutMismatch(
          name: name, expectedShape: [parameterCount], actualShape: [])
      }
      guard v.shape == [parameterCount] else {
        throw ModelError.layoutMismatch(
          name: name, expectedShape: [parameterCount], actualShape: v.shape)
      }
      return Array(buffer.values[v.range])
    }
    guard step >= 0 else {
      throw ModelError.invalidHyperparameter(
        model: "OptimizerState", name: "step", value: String(step), expected: "an integer ≥ 0")
    }
    self.kind = kind
    self.step = step
    self.firstMoment = try tensor("first_moment")
    self.secondMoment = kind == .adam ? try tensor("second_moment") : []
  }

  /// Applies one update to `count` parameters through raw pointers and advances `step`.
  ///
  /// - Parameters:
  ///   - parameters: `(count)` θ, updated in place.
  ///   - gradients: `(count)` g (already including any weight decay).
  ///   - learningRate: α > 0.
  ///   - momentum: μ in [0, 1), used by SGD only.
  /// - Complexity: O(count).
  public mutating func apply(
    gradients: UnsafePointer<Float>, to parameters: UnsafeMutablePointer<Float>, count: Int,
    learningRate: Double, momentum: Double
  ) {
    precondition(
      count == parameterCount,
      "OptimizerState: \(count) parameters, state holds \(parameterCount)")
    step += 1
    let t = step
    switch kind {
    case .adam:
      firstMoment.withUnsafeMutableBufferPointer { m in
        secondMoment.withUnsafeMutableBufferPointer { v in
          Adam.update(
            parameters: parameters, gradients: gradients, firstMoment: m.baseAddress!,
            secondMoment: v.baseAddress!, count: count, learningRate: learningRate, step: t)
        }
      }
    case .sgd:
      firstMoment.withUnsafeMutableBufferPointer { u in
        SGD.update(
          parameters: parameters, gradients: gradients, velocity: u.baseAddress!, count: count,
          learningRate: learningRate, momentum: momentum)
      }
    }
  }

  /// Applies one update to `parameters` and advances `step` (array form of `apply`).
  public mutating func apply(
    gradients: [Float], to parameters: inout [Float], learningRate: Double, momentum: Double = 0.9
  ) {
    precondition(
      gradients.count == parameters.count,
      "OptimizerState: \(gradients.count) gradients for \(parameters.count) parameters")
    let n = parameters.count
    gradients.withUnsafeBufferPointer { g in
      parameters.withUnsafeMutableBufferPointer { p in
        guard n > 0 else { return }
        apply(
          gradients: g.baseAddress!, to: p.baseAddress!, count: n, learningRate: learningRate,
          momentum: momentum)
      }
    }
  }
}
