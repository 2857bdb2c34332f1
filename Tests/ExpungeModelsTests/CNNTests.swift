import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// The CNN classifier: learns, is deterministic, resumes bit for bit, saves and loads
/// bit for bit, refuses what does not fit.
@Suite("CNN")
struct CNNTests {
  /// 8×8 single-channel images of 3 classes: a bright bar, horizontal, vertical or diagonal,
  /// at a random place, over noise.
  static func bars(n: Int, seed: UInt64 = 1) -> Dataset {
    var rng = SeededGenerator(seed: seed)
    var x = Matrix(rows: n, cols: 64)
    var y = [Int32](repeating: 0, count: n)
    for i in 0..<n {
      let c = i % 3
      y[i] = Int32(c)
      for j in 0..<64 { x[i, j] = Float(rng.nextDouble()) * 0.3 }
      let at = 1 + rng.nextInt(below: 5)
      for t in 0..<6 {
        let (row, col) = c == 0 ? (at, 1 + t) : c == 1 ? (1 + t, at) : (1 + t, 1 + t)
        x[i, row * 8 + col] += 1
      }
    }
    return Dataset(
      ids: (0..<n).map { SampleID(UInt64($0)) }, features: x, labels: y, classCount: 3,
      source: "bars")
  }

  static var config: CNNConfig {
    var c = CNNConfig()
    c.layers = [.convolution(filters: 4, kernelSize: 3), .maxPool(size: 2), .dense(units: 8)]
    c.epochs = 4
    c.batchSize = 16
    c.learningRate = 1e-2
    c.seed = 3
    return c
  }

  static func bits(_ m: CNN) -> [UInt32] { m.parameters.values.map(\.bitPattern) }

  @Test func learnsAndIsDeterministic() throws {
    let data = Self.bars(n: 240)
    let a = try CNN.fit(data, config: Self.config)
    let b = try CNN.fit(data, config: Self.config)
    #expect(Self.bits(a) == Self.bits(b))
    let test = Self.bars(n: 120, seed: 2)
    let accuracy = a.accuracy(test.features, labels: test.labels)
    #expect(accuracy > 0.9, "test accuracy \(accuracy)")
    #expect(a.inputShape == TensorShape(height: 8, width: 8, channels: 1))
    var other = Self.config
    other.seed = 4
    #expect(Self.bits(try CNN.fit(data, config: other)) != Self.bits(a))
  }

  /// Epochs 0..<2 then 2..<4 from the saved parameters and optimizer state equal 0..<4.
  @Test func resumingTrainingGivesTheSameBits() throws {
    let data = Self.bars(n: 100)
    let whole = try CNN.fit(data, config: Self.config)
    var part = try CNN(config: Self.config, featureCount: 64, classCount: 3)
    var state = part.makeOptimizerState()
    try part.train(on: data, epochs: 0..<2, optimizerState: &state)
    var resumed = try CNN(
      configuration: part.configuration, featureCount: 64, classCount: 3,
      parameters: part.parameters)
    try resumed.train(on: data, epochs: 2..<4, optimizerState: &state)
    #expect(Self.bits(resumed) == Self.bits(whole))
  }

  @Test func saveAndLoadAreBitExact() throws {
    var c = Self.config
    c.inputShape = TensorShape(height: 8, width: 4, channels: 2)
    c.activation = .tanh
    let model = try CNN.fit(Self.bars(n: 60), config: c)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "cnn-save-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    try ModelDirectory.save(model, metadata: ModelMetadata(expungeVersion: "test"), to: dir)
    let loaded = try #require(try ModelDirectory.load(from: dir).instantiate() as? CNN)
    #expect(loaded.config == c)
    #expect(Self.bits(loaded) == Self.bits(model))
    #expect(loaded.parameters.views == model.parameters.views)
    let x = Self.bars(n: 10, seed: 5).features
    #expect(loaded.predictProbabilities(x) == model.predictProbabilities(x))
    let json = try String(contentsOf: dir.appendingPathComponent("config.json"), encoding: .utf8)
    #expect(json.contains("\"conv4x3\"") && json.contains("\"kind\" : \"cnn\""))
  }

  @Test func tensorNamesAndShapes() throws {
    let model = try CNN(config: CNNConfig(), featureCount: 784, classCount: 10)
    let shapes = Dictionary(
      uniqueKeysWithValues: model.parameters.views.map { ($0.name, $0.shape) })
    #expect(shapes["layers.0.weight"] == [32, 3, 3, 1])
    #expect(shapes["layers.1.weight"] == [64, 3, 3, 32])
    #expect(shapes["layers.2.weight"] == [128, 1600])
    #expect(shapes["layers.3.weight"] == [10, 128])
    #expect(model.parameters.count == 225_034)
  }

  @Test func refusesWhatDoesNotFit() throws {
    #expect(throws: ModelError.self) {
      try CNN(config: CNNConfig(), featureCount: 785, classCount: 10)  // not a square
    }
    var big = CNNConfig()
    big.layers = [.convolution(filters: 2, kernelSize: 9)]
    #expect(throws: ModelError.self) { try CNN(config: big, featureCount: 64, classCount: 3) }
    var shaped = CNNConfig()
    shaped.inputShape = TensorShape(height: 28, width: 28, channels: 3)
    #expect(throws: ModelError.self) { try CNN(config: shaped, featureCount: 784, classCount: 10) }
    var bad = Self.config
    bad.learningRate = 0
    #expect(throws: ModelError.self) { try CNN.fit(Self.bars(n: 30), config: bad) }
    var nan = Self.bars(n: 30)
    nan.features[4, 7] = .nan
    #expect(throws: ModelError.self) { try CNN.fit(nan, config: Self.config) }
  }
}
