import ExpungeCore
import ExpungeData
import Foundation

/// Provenance recorded with a saved model in `config.json`.
public struct ModelMetadata: Codable, Sendable, Equatable {
  /// Always "expunge-model".
  public var format: String = ModelDirectory.formatName
  /// Version of the directory layout; readers refuse newer ones.
  public var formatVersion: Int = ModelDirectory.formatVersion
  /// The Expunge version that wrote it.
  public var expungeVersion: String
  /// ISO 8601 time of writing, or nil (tests leave it out to compare bytes).
  public var created: String?
  /// Where the training rows came from (a file path or a built-in name).
  public var trainingSource: String?
  /// How many rows the model was trained on.
  public var trainingRows: Int?
  /// The `--classes` selection applied to the training data, if any: evaluation applies it too.
  public var classSelection: [Int32]?
  /// Human names of the classes, if known.
  public var classNames: [String]?
  /// The data-independent `--scale` applied to every input before the model (and before its
  /// standardizer, if any): `(x − subtract) · multiplyBy`. Nil when there is none.
  public var featureScaling: FeatureScaling?
  /// Free-form facts (seed, timings, accuracies), as text.
  public var notes: [String: String] = [:]
  /// The numeric environment the weights were computed in: a model trained the same way in
  /// another environment need not have the same bits. Nil in files written before Expunge
  /// recorded it.
  public var environment: NumericEnvironment?

  /// Metadata for weights computed by this process: `environment` defaults to
  /// `NumericEnvironment.current`.
  public init(
    expungeVersion: String, created: String? = nil,
    environment: NumericEnvironment? = .current
  ) {
    self.expungeVersion = expungeVersion
    self.created = created
    self.environment = environment
  }
}
