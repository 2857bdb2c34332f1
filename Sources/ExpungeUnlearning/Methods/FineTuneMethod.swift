import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// `--method finetune`: train the model further on the rows it keeps, so what it learned
/// from the forgotten rows fades ("catastrophic forgetting"; the FT baseline of Golatkar et
/// al., CVPR 2020, and of Jia et al., NeurIPS 2023). Approximate, and cheap: a few epochs on
/// the kept rows of the affected shards. Models trained in epochs (the MLP).
public struct FineTuneMethod: ModelUpdateMethod {
  public static let name = "finetune"
  public static let guarantee = UnlearningGuarantee.approximate
  public static let summary =
    "train each affected shard a few more epochs on its kept rows only (approximate)"

  public struct Settings: MethodSettings {
    /// Passes over the kept rows. Default 5; range ≥ 1.
    public var epochs: Int = 5
    /// Step size of a fresh optimizer of the model's kind. Default 1e-3; range > 0.
    public var learningRate: Double = 1e-3
    public init() {}
  }

  /// What one shard's update did.
  public struct Report: Codable, Sendable, Equatable {
    public var keptRows: Int
    public var forgottenRows: Int
    public var epochs: Int
    /// Accuracy on the forgotten rows before and after: how much the update moved them.
    public var forgetAccuracyBefore: Double?
    public var forgetAccuracyAfter: Double?
    /// ‖θ_new − θ_old‖₂.
    public var parameterChange: Double
    public var seconds: Double
  }

  public let settings: Settings

  public init(settings: Settings = .init()) throws {
    guard settings.epochs >= 1 else {
      throw UnlearningError.invalidSetting(
        name: "epochs", value: String(settings.epochs), expected: "an integer ≥ 1")
    }
    guard settings.learningRate > 0, settings.learningRate.isFinite else {
      throw UnlearningError.invalidSetting(
        name: "learningRate", value: String(settings.learningRate),
        expected: "a finite number > 0")
    }
    self.settings = settings
  }

  public static func refusal(for configuration: ModelConfiguration) -> String? {
    configuration.family.continuation == .resumes
      ? nil
      : "it continues training by epochs, and \(configuration.kind) is solved to an optimum, where training on the kept rows is retraining: use the sisa or retrain method"
  }

  public func apply(
    to model: any Classifier, forgetting forget: Dataset, retaining retain: Dataset,
    seed: UInt64
  ) throws -> (model: any Classifier, report: Report) {
    guard let tunable = model as? any FineTunable else {
      throw UnlearningError.unsupportedModel(
        kind: model.kind, method: Self.name, reason: "its training cannot be continued")
    }
    let clock = Date()
    // No kept rows: nothing to train on, the model stands.
    let tuned =
      retain.isEmpty
      ? tunable
      : try tunable.fineTuned(
        on: retain, epochs: settings.epochs, learningRate: settings.learningRate, seed: seed)
    func accuracy(_ m: any Classifier) -> Double? {
      forget.isEmpty ? nil : m.accuracy(forget.features, labels: forget.labels)
    }
    let report = Report(
      keptRows: retain.count, forgottenRows: forget.count, epochs: settings.epochs,
      forgetAccuracyBefore: accuracy(model), forgetAccuracyAfter: accuracy(tuned),
      parameterChange: tuned.tensors.parameters.distance(to: model.tensors.parameters),
      seconds: Date().timeIntervalSince(clock))
    return (tuned, report)
  }
}
