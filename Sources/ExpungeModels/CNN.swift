import ExpungeCore
import ExpungeData

/// A convolutional network classifier (see `CNNConfig` for the architecture), built on
/// `LayeredNetwork`.
///
/// Input rows are images stored channels-last (`(h, w, c)` row-major; a single-channel
/// image is its pixels row by row, as Fashion-MNIST's rows are). Tensors are named
/// `layers.<p>.weight` / `layers.<p>.bias` for the p-th layer with parameters; a
/// convolution's weight is `(F, k, k, C)`, a dense layer's `(out, in)`.
///
/// Initialization from `SeededGenerator(seed: config.seed).derived("init")` (see
/// `LayeredNetwork.init(layers:initializationGenerator:)`); training as `LayeredNetwork.train`
/// with `config.seed`'s epoch orders. Same seed and data, same bits, on any thread count.
public struct CNN: ParametricClassifier {
  /// The hyperparameters.
  public let config: CNNConfig
  /// Number of input features `h·w·c`.
  public let featureCount: Int
  /// Number of classes `K`.
  public let classCount: Int
  /// The shape of one input row.
  public let inputShape: TensorShape
  /// The layers and their parameters.
  public internal(set) var network: LayeredNetwork

  /// `ModelConfiguration(config)`.
  public var configuration: ModelConfiguration { ModelConfiguration(config) }
  /// Every weight and bias, in one flat buffer.
  public var parameters: ParameterBuffer { network.parameters }

  /// A freshly initialized (untrained) network.
  /// - Throws: `ModelError.invalidHyperparameter` for a bad configuration or layers that do
  ///   not fit the image, `.invalidTrainingData` for fewer than 2 classes.
  public init(config: CNNConfig, featureCount: Int, classCount: Int) throws {
    let (shape, layers) = try Self.layers(
      config, featureCount: featureCount, classCount: classCount)
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.inputShape = shape
    self.network = LayeredNetwork(
      layers: layers,
      initializationGenerator: SeededGenerator(seed: config.seed).derived("init"))
  }

  /// Rebuilds a fitted network from its configuration and saved parameters.
  /// - Throws: `ModelError.layoutMismatch` when a tensor is missing or mis-shaped,
  ///   `ModelError.invalidHyperparameter` when `configuration` is not a CNN's.
  public init(
    configuration: ModelConfiguration, featureCount: Int, classCount: Int,
    parameters: ParameterBuffer
  ) throws {
    guard let config = configuration.as(CNNConfig.self) else {
      throw ModelError.invalidHyperparameter(
        model: "CNN", name: "configuration", value: configuration.kind.rawValue,
        expected: "a cnn configuration")
    }
    let (shape, layers) = try Self.layers(
      config, featureCount: featureCount, classCount: classCount)
    self.config = config
    self.featureCount = featureCount
    self.classCount = classCount
    self.inputShape = shape
    self.network = try LayeredNetwork(layers: layers, parameters: parameters)
  }

  /// The same network with every parameter replaced by `values` (same layout).
  public func withParameterValues(_ values: [Float]) -> CNN {
    var copy = self
    copy.network = network.withParameterValues(values)
    return copy
  }

  /// "cnn 28x28x1 conv32x3,pool2,conv64x3,pool2,dense128 → 10 (225 034 parameters)".
  public var summary: String {
    let layers = config.layers.map(\.description).joined(separator: ",")
    return
      "cnn \(inputShape) \(layers.isEmpty ? "" : layers + " ")→ \(classCount) (\(parameters.count) parameters)"
  }

  // MARK: Inference

  /// Class probabilities `(n, K)`.
  /// - Complexity: the forward flops (`network.stack.forwardFlops`), in chunks of 256 rows.
  public func predictProbabilities(_ x: Matrix) -> Matrix {
    checkWidth(x)
    return network.probabilities(x)
  }

  /// Cross-entropy of every row, `ℓᵢ = −log softmax(f(xᵢ))_{yᵢ}`.
  public func perSampleLosses(_ x: Matrix, labels: [Int32]) -> [Float] {
    checkWidth(x)
    return network.perExampleLosses(x, targets: .labels(labels))
  }

  /// Mean cross-entropy over the rows (accumulated in `Double`); no weight decay.
  public func meanLoss(_ x: Matrix, labels: [Int32]) -> Double {
    guard x.rows > 0 else { return .nan }
    return perSampleLosses(x, labels: labels).reduce(0.0) { $0 + Double($1) } / Double(x.rows)
  }

  func checkWidth(_ x: Matrix) {
    precondition(
      x.cols == featureCount,
      "X has \(x.cols) features, but CNN is expecting \(featureCount) features as input")
  }

  // MARK: Architecture

  /// The input shape and the layers `config` describes for `featureCount` inputs and
  /// `classCount` classes.
  /// - Throws: `ModelError.invalidHyperparameter` when the shape cannot be inferred or does
  ///   not match the feature count, or a layer does not fit what reaches it.
  public static func layers(_ config: CNNConfig, featureCount: Int, classCount: Int) throws
    -> (TensorShape, [any Layer])
  {
    try validate(config)
    guard classCount >= 2 else {
      throw ModelError.invalidTrainingData(
        model: "CNN", reason: "the data has \(classCount) class(es); expected at least 2")
    }
    let shape: TensorShape
    if let given = config.inputShape {
      guard given.count == featureCount else {
        throw ModelError.invalidHyperparameter(
          model: "CNN", name: "inputShape", value: "\(given)",
          expected: "a shape of \(featureCount) values, the data's feature count")
      }
      shape = given
    } else {
      guard let square = TensorShape.squareImage(featureCount: featureCount) else {
        throw ModelError.invalidHyperparameter(
          model: "CNN", name: "inputShape", value: "inferred",
          expected:
            "rows of a square single-channel image, but \(featureCount) features is not a square; give the shape (e.g. 32x32x3)"
        )
      }
      shape = square
    }
    var layers: [any Layer] = []
    var current = shape
    func add(_ layer: any Layer) {
      layers.append(layer)
      current = layer.outputShape
    }
    for (index, spec) in config.layers.enumerated() {
      switch spec {
      case .convolution(let f, let k):
        guard current.height >= k && current.width >= k && current.height * current.width > 1
        else {
          throw ModelError.invalidHyperparameter(
            model: "CNN", name: "layers", value: "\(spec)",
            expected: "a kernel no larger than the \(current) image that reaches it")
        }
        // Before a pooling the activation moves after it: both activations are monotonic,
        // so max(f(z)) = f(max(z)), and f then runs on a quarter of the values. Otherwise
        // it is fused into the product's tiles.
        let pooled: Bool
        if index + 1 < config.layers.count, case .maxPool = config.layers[index + 1] {
          pooled = true
        } else {
          pooled = false
        }
        add(
          Convolution2DLayer(
            input: current, filters: f, kernelSize: k,
            activation: pooled ? nil : config.activation))
      case .maxPool(let s):
        guard current.height >= s && current.width >= s && current.height * current.width > 1
        else {
          throw ModelError.invalidHyperparameter(
            model: "CNN", name: "layers", value: "\(spec)",
            expected: "a window no larger than the \(current) image that reaches it")
        }
        add(MaxPoolingLayer(input: current, size: s))
        if index > 0, case .convolution = config.layers[index - 1] {
          add(ActivationLayer(input: current, activation: config.activation))
        }
      case .dense(let u):
        if current.height * current.width > 1 { add(FlattenLayer(input: current)) }
        add(DenseLayer(input: current, outFeatures: u, activation: config.activation))
      }
    }
    if current.height * current.width > 1 { add(FlattenLayer(input: current)) }
    add(DenseLayer(input: current, outFeatures: classCount))
    return (shape, layers)
  }

  /// Checks every hyperparameter's range.
  /// - Throws: `ModelError.invalidHyperparameter` naming the first bad one.
  public static func validate(_ config: CNNConfig) throws {
    func bad(_ name: String, _ value: String, _ expected: String) -> ModelError {
      .invalidHyperparameter(model: "CNN", name: name, value: value, expected: expected)
    }
    guard config.epochs >= 0 else { throw bad("epochs", "\(config.epochs)", "an integer ≥ 0") }
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
}
