import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Synchronization
import Testing

@Suite("MLP training")
struct MLPTrainingTests {
  /// 100 rows: with batch 16 every epoch ends with a 4-row batch.
  static let data = MLPFixtures.blobs(n: 100, d: 6, k: 3, seed: 21)

  @Test(
    "same seed ⇒ identical parameter bytes; another seed ⇒ different",
    arguments: OptimizerKind.allCases)
  func determinism(optimizer: OptimizerKind) throws {
    var config = MLPFixtures.config(hidden: [8, 5], optimizer: optimizer, epochs: 2)
    config.weightDecay = 1e-3
    let a = try MLP.fit(Self.data, config: config)
    let b = try MLP.fit(Self.data, config: config)
    #expect(MLPFixtures.bits(a.parameters.values) == MLPFixtures.bits(b.parameters.values))
    config.seed = 2
    let c = try MLP.fit(Self.data, config: config)
    #expect(MLPFixtures.bits(a.parameters.values) != MLPFixtures.bits(c.parameters.values))
  }

  @Test(
    "a separable 3-class problem is learned",
    arguments: [
      (Activation.relu, OptimizerKind.adam), (.tanh, .adam), (.relu, .sgd),
    ])
  func learns(activation: Activation, optimizer: OptimizerKind) throws {
    let data = MLPFixtures.blobs(n: 300, d: 4, k: 3, separation: 4, seed: 5)
    let config = MLPFixtures.config(
      hidden: [16], activation: activation, optimizer: optimizer, epochs: 5)
    let untrained = try MLP(config: config, featureCount: 4, classCount: 3)
    let model = try MLP.fit(data, config: config)
    let accuracy = model.accuracy(data.features, labels: data.labels)
    #expect(accuracy >= 0.95, "training accuracy \(accuracy)")
    #expect(
      model.meanLoss(data.features, labels: data.labels)
        < untrained.meanLoss(data.features, labels: data.labels) / 2)
  }

  @Test(
    "resuming from saved parameters and optimizer state equals training in one go",
    arguments: OptimizerKind.allCases)
  func resume(optimizer: OptimizerKind) throws {
    var config = MLPFixtures.config(hidden: [8, 5], optimizer: optimizer, epochs: 4)
    config.weightDecay = 1e-3
    let whole = try MLP.fit(Self.data, config: config)

    var first = try MLP(config: config, featureCount: 6, classCount: 3)
    var state = first.makeOptimizerState()
    try first.train(on: Self.data, epochs: 0..<2, optimizerState: &state)
    // "Save" and "load": rebuild the model and the state from their flat tensors.
    let savedStep = state.step
    let savedTensors = state.asParameterBuffer()
    var second = try MLP(
      configuration: first.configuration, featureCount: 6, classCount: 3,
      parameters: first.parameters)
    var restored = try OptimizerState(
      kind: optimizer, step: savedStep, buffer: savedTensors,
      parameterCount: second.parameters.count)
    try second.train(on: Self.data, epochs: 2..<4, optimizerState: &restored)
    #expect(MLPFixtures.bits(second.parameters.values) == MLPFixtures.bits(whole.parameters.values))
    #expect(restored.step == 4 * 7)  // 100 rows / 16 = 7 batches per epoch
  }

  @Test("a rebuilt model predicts identically; parameters are named and shaped as documented")
  func rebuild() throws {
    let model = try MLP.fit(Self.data, config: MLPFixtures.config(hidden: [8, 5], epochs: 1))
    #expect(
      model.parameters.views.map(\.name) == [
        "layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight", "layers.2.bias",
        "layers.2.weight",
      ])
    #expect(model.parameters.view("layers.0.weight").shape == [8, 6])
    #expect(model.parameters.view("layers.2.bias").shape == [3])
    #expect(model.layerWidths == [6, 8, 5, 3])
    let rebuilt = try MLP(
      configuration: model.configuration, featureCount: 6, classCount: 3,
      parameters: model.parameters)
    #expect(
      MLPFixtures.bits(rebuilt.predictProbabilities(Self.data.features).storage)
        == MLPFixtures.bits(model.predictProbabilities(Self.data.features).storage))
    #expect(rebuilt.predict(Self.data.features) == model.predict(Self.data.features))
  }

  @Test("eleven hidden layers: views sort as strings and the network still trains")
  func manyLayers() throws {
    let config = MLPFixtures.config(hidden: Array(repeating: 6, count: 11), epochs: 2)
    let model = try MLP.fit(Self.data, config: config)
    let names = model.parameters.views.map(\.name)
    #expect(names.firstIndex(of: "layers.10.weight")! < names.firstIndex(of: "layers.2.weight")!)
    #expect(model.parameters.view("layers.11.weight").shape == [3, 6])
    #expect(model.predictProbabilities(Self.data.features).allFinite)
  }

  @Test("initialization follows the documented distributions")
  func initialization() throws {
    for activation in Activation.allCases {
      let model = try MLP(
        config: MLPFixtures.config(hidden: [400], activation: activation), featureCount: 300,
        classCount: 10)
      let w0 = model.parameters["layers.0.weight"]
      let bound0 = activation == .relu ? (6.0 / 300).squareRoot() : (6.0 / 700).squareRoot()
      #expect(w0.allSatisfy { abs(Double($0)) <= bound0 })
      // U(−a, a) has variance a²/3; 120 000 draws estimate it to well under 2 %.
      let variance = w0.map { Double($0) * Double($0) }.reduce(0, +) / Double(w0.count)
      #expect(abs(variance / (bound0 * bound0 / 3) - 1) < 0.02)
      let w1 = model.parameters["layers.1.weight"]
      #expect(w1.allSatisfy { abs(Double($0)) <= (6.0 / 410).squareRoot() })
      #expect(model.parameters["layers.0.bias"].allSatisfy { $0 == 0 })
    }
  }

  @Test(
    "the observer sees every epoch (loss, validation accuracy) and batch events every 50 batches")
  func observer() throws {
    let events = Mutex<[TrainingProgress]>([])
    let data = MLPFixtures.blobs(n: 1_000, d: 6, k: 3, seed: 3)
    let validation = MLPFixtures.blobs(n: 90, d: 6, k: 3, seed: 4)
    var config = MLPFixtures.config(hidden: [8], epochs: 2, batchSize: 8)  // 125 batches
    config.learningRate = 1e-3
    let model = try MLP.fit(data, validation: validation, config: config) { progress in
      events.withLock { $0.append(progress) }
    }
    let seen = events.withLock { $0 }
    let epochs = seen.filter { $0.unit == "epoch" }
    let batches = seen.filter { $0.unit == "batch" }
    #expect(epochs.map(\.completed) == [1, 2])
    #expect(epochs.allSatisfy { $0.total == 2 && $0.loss.isFinite && $0.validationAccuracy != nil })
    #expect(epochs[1].loss < epochs[0].loss)
    #expect(
      epochs[1].validationAccuracy
        == model.accuracy(validation.features, labels: validation.labels))
    #expect(batches.map(\.completed) == [50, 100, 175, 225])
    #expect(batches.allSatisfy { $0.total == 250 })
    // The epoch loss is the mean over the epoch's rows of the loss before each step, so it
    // lies between the first batch's loss and the end-of-epoch loss it led to… loosely:
    #expect(epochs[0].loss > model.meanLoss(data.features, labels: data.labels))
  }

  @Test("zero epochs returns the initialization")
  func zeroEpochs() throws {
    let config = MLPFixtures.config(hidden: [8], epochs: 0)
    let fitted = try MLP.fit(Self.data, config: config)
    let fresh = try MLP(config: config, featureCount: 6, classCount: 3)
    #expect(fitted.parameters == fresh.parameters)
  }
}
