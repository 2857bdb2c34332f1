import ExpungeCore
import ExpungeData

extension MLP {
  /// Checks every hyperparameter's range.
  /// - Throws: `ModelError.invalidHyperparameter` naming the first bad one.
  public static func validate(_ config: MLPConfig) throws {
    func bad(_ name: String, _ value: String, _ expected: String) -> ModelError {
      .invalidHyperparameter(model: "MLP", name: name, value: value, expected: expected)
    }
    if let w = config.hidden.first(where: { $0 < 1 }) {
      throw bad("hidden", "\(config.hidden)", "every hidden width ≥ 1 (found \(w))")
    }
    guard config.epochs >= 0 else {
      throw bad("epochs", "\(config.epochs)", "an integer ≥ 0")
    }
    guard config.batchSize >= 1 else {
      throw bad("batchSize", "\(config.batchSize)", "an integer ≥ 1")
    }
    guard config.learningRate.isFinite && config.learningRate > 0 else {
      throw bad("learningRate", "\(config.learningRate)", "a finite number > 0")
    }
    guard config.momentum >= 0 && config.momentum < 1 else {
      throw bad("momentum", "\(config.momentum)", "a number in [0, 1)")
    }
    guard config.weightDecay.isFinite && config.weightDecay >= 0 else {
      throw bad("weightDecay", "\(config.weightDecay)", "a finite number ≥ 0")
    }
  }

  static func validateShape(featureCount: Int, classCount: Int) throws {
    guard featureCount >= 1 else {
      throw ModelError.invalidTrainingData(
        model: "MLP", reason: "the data has \(featureCount) features; expected at least 1")
    }
    guard classCount >= 2 else {
      throw ModelError.invalidTrainingData(
        model: "MLP",
        reason: "the data has \(classCount) class(es); expected at least 2 — check the label column"
      )
    }
  }

  /// Position of the first NaN or ±∞ in `x`, or nil. The common all-finite case is one
  /// vectorized pass (`Σ 0·x` is NaN iff some x is not finite); only then is the row found.
  static func firstNonFinite(_ x: Matrix) -> (row: Int, col: Int)? {
    let bad = x.storage.withUnsafeBufferPointer { buf -> Bool in
      let n = buf.count
      guard n > 0 else { return false }
      var acc = SIMD8<Float>(repeating: 0)
      let raw = UnsafeRawPointer(buf.baseAddress!)
      var i = 0
      while i + 8 <= n {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * 0
        i += 8
      }
      var tail: Float = 0
      while i < n {
        tail += buf[i] * 0
        i += 1
      }
      return !(acc.sum() + tail).isFinite
    }
    guard bad, let i = x.storage.firstIndex(where: { !$0.isFinite }) else { return nil }
    return (i / x.cols, i % x.cols)
  }
}
