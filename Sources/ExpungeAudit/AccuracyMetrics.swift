import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// Accuracy and loss of a model on one set of rows.
public struct SetMetrics: Sendable, Equatable, Codable {
  public var rows: Int
  public var accuracy: Double
  /// Mean cross-entropy −log p_y (p clamped at 1e-30).
  public var meanLoss: Double
  /// Accuracy per class (nil for a class with no rows).
  public var perClassAccuracy: [Double?]

  public init(_ model: AuditedModel, _ data: Dataset) {
    let (scores, p) = model.outputs(data.features)
    let predicted = scores.argmaxRows()
    var correct = [Int](repeating: 0, count: model.classCount)
    var counts = [Int](repeating: 0, count: model.classCount)
    var loss = 0.0
    for i in 0..<data.count {
      let y = Int(data.labels[i])
      counts[y] += 1
      if predicted[i] == y { correct[y] += 1 }
      loss -= log(max(Double(p[i, y]), 1e-30))
    }
    rows = data.count
    accuracy = Double(correct.reduce(0, +)) / Double(max(data.count, 1))
    meanLoss = loss / Double(max(data.count, 1))
    perClassAccuracy = zip(correct, counts).map { $1 > 0 ? Double($0) / Double($1) : nil }
  }
}

/// The standard unlearning metrics (as in SalUn and the unlearning surveys): UA = 1 − accuracy
/// on the forget set, RA on the retain set, TA on the test set.
public struct UnlearningMetrics: Sendable, Equatable, Codable {
  public var forget: SetMetrics
  public var retain: SetMetrics
  public var test: SetMetrics
  public var unlearningAccuracy: Double { 1 - forget.accuracy }

  public init(_ model: AuditedModel, forget: Dataset, retain: Dataset, test: Dataset) {
    self.forget = SetMetrics(model, forget)
    self.retain = SetMetrics(model, retain)
    self.test = SetMetrics(model, test)
  }
}
