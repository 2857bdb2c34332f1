/// A convolutional classifier: the layers of `layers` (each convolution and dense layer
/// followed by `activation`), a flatten before the first dense layer, and an output layer of
/// one unit per class, with softmax cross-entropy; trained by minibatch Adam or SGD.
///
/// The default is a Fashion-MNIST network: conv 32 3×3 → ReLU → max-pool 2 → conv 64 3×3 →
/// ReLU → max-pool 2 → dense 128 → ReLU → dense K (28×28 images: 225 034 parameters).
public struct CNNConfig: Codable, Sendable, Hashable {
  /// The hidden layers, input to output. Default `conv32x3,pool2,conv64x3,pool2,dense128`.
  public var layers: [CNNLayerSpec] = [
    .convolution(filters: 32, kernelSize: 3), .maxPool(size: 2),
    .convolution(filters: 64, kernelSize: 3), .maxPool(size: 2), .dense(units: 128),
  ]
  /// Nonlinearity after every convolution and hidden dense layer. Default `.relu`.
  public var activation: Activation = .relu
  /// The shape of one input row, channels-last. Default nil: a square single-channel image
  /// inferred from the feature count (784 → 28×28×1).
  public var inputShape: TensorShape?
  /// Passes over the training data. Default 10.
  public var epochs: Int = 10
  /// Rows per minibatch. Default 128.
  public var batchSize: Int = 128
  /// Step size. Default 1e-3 (Adam).
  public var learningRate: Double = 1e-3
  /// Optimizer. Default `.adam`.
  public var optimizer: OptimizerKind = .adam
  /// SGD momentum. Default 0.9; range [0, 1).
  public var momentum: Double = 0.9
  /// L2 weight decay on weights (not biases), added to the gradient as λw. Default 0.
  public var weightDecay: Double = 0
  /// Seed of the initialization and of the minibatch shuffles.
  public var seed: UInt64 = 0
  public init() {}
}
