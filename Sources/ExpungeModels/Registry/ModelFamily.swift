import ExpungeData

/// A model family, as its hyperparameters type: plain Codable values with defaults
/// (`init()`), plus what Expunge needs to know to train, save, load, shard and describe a
/// model of the family. Conformances live in the family's own files (`MLPFamily.swift`);
/// `ModelRegistry` lists them.
public protocol ModelFamily: Codable, Sendable, Hashable {
  /// The family's name (`--model`, `config.json`).
  static var kind: ModelKind { get }
  /// What it is, for `--help` and summaries: "multilayer perceptron".
  static var title: String { get }
  /// How a SISA shard's training carries over from one stage to the next.
  static var continuation: TrainingContinuation { get }
  /// The hyperparameters `expunge train` sets with options, and the heading they are
  /// listed under in `train --help`.
  static var commandLineOptions: [HyperparameterOption] { get }
  static var commandLineGroup: String { get }

  /// The defaults.
  init()

  /// Fits a model on `data`.
  /// - Parameters:
  ///   - validation: rows to report validation accuracy on, for families that train in
  ///     epochs; ignored by the others.
  ///   - observer: receives progress.
  /// - Throws: `ModelError` for bad hyperparameters or data.
  func fit(_ data: Dataset, validation: Dataset?, observer: TrainingObserver?) throws
    -> any Classifier

  /// Fits a model on `data` from `start`: a SISA stage continuing the previous stage, or a
  /// shard's first stage building on a shared base (see `TrainingContinuation` for what
  /// carrying over means). `epochs` are the absolute epochs the stage runs, for families
  /// that train in epochs (nil for the others).
  func fit(
    _ data: Dataset, from start: TrainingStart?, epochs: Range<Int>?, featureCount: Int,
    classCount: Int
  ) throws -> TrainingStart

  /// Rebuilds a fitted model from a model directory's contents.
  /// - Throws: `ModelError.layoutMismatch` when the tensors do not fit the configuration.
  func restore(_ saved: SavedModel) throws -> any Classifier

  /// Passes over the data plain training makes, for families that train in epochs (SISA
  /// spreads them over a shard's stages); nil for solvers.
  var trainingEpochs: Int? { get }
  /// The seed of every random choice training makes; nil for deterministic families.
  var randomSeed: UInt64? { get }
  /// The same hyperparameters with `seed` as the seed (unchanged where there is none).
  func withSeed(_ seed: UInt64) -> Self
  /// The hyperparameters once the command line set those it gives (`given`, by option
  /// name): where one default follows another (SGD's step size), the family settles it here.
  func completedForCommandLine(given: Set<String>) -> Self
  /// The same hyperparameters with the L2 penalty (weight decay) set to `l2`.
  func withL2(_ l2: Double) -> Self
  /// One line naming the model and its main settings: "mlp 784-256-10",
  /// "softmax regression (λ = 0.0001)".
  func summary(featureCount: Int, classCount: Int) -> String
}

extension ModelFamily {
  public static var commandLineOptions: [HyperparameterOption] { [] }
  public static var commandLineGroup: String { "MODEL OPTIONS" }
  public func completedForCommandLine(given: Set<String>) -> Self { self }
  public var trainingEpochs: Int? { nil }
  public var randomSeed: UInt64? { nil }
  public func withSeed(_ seed: UInt64) -> Self { self }
}

/// How a family's SISA stages follow each other.
public enum TrainingContinuation: Sendable {
  /// Training resumes where the previous stage stopped (model and optimizer state), each
  /// stage running its share of the epochs (`SliceSchedule`); a shared base is the shard's
  /// starting point, and a shard's first stage draws with the shard's own seed.
  case resumes
  /// Training solves to an optimum: each stage solves on every row it has seen (a shared
  /// base's rows included), warm-started from the previous solution where the family can;
  /// a stage with no new rows keeps the previous model.
  case solves
}

/// A model with the optimizer state that continues its training: a SISA checkpoint's
/// contents, and what `ModelFamily.fit(_:from:…)` starts from and returns.
public struct TrainingStart: Sendable {
  public var model: any Classifier
  /// Moments and step count of an optimizer that trains in steps; nil for solvers.
  public var optimizerState: OptimizerState?
  /// Whether `model` is a shared base to build on rather than a previous stage to continue:
  /// a base's optimizer state is not carried over.
  public var isBase: Bool

  public init(model: any Classifier, optimizerState: OptimizerState? = nil, isBase: Bool = false) {
    self.model = model
    self.optimizerState = optimizerState
    self.isBase = isBase
  }
}
