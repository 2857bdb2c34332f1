import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation
import Testing

/// The contract every registered model family keeps, run over `ModelRegistry`: a new
/// family is held to it by its registration alone.
@Suite("Model contract, every registered family")
struct ModelContractTests {
  /// 16 features: a 4×4 image for the families that read images.
  static let data = try! DatasetCatalog.load("synthetic:n=160,d=16,classes=2,seed=11,sep=1.5")

  /// The family's defaults, made small where they train in epochs (the defaults are sized
  /// for Fashion-MNIST), with a seed where they have one.
  static func configuration(_ kind: ModelKind) -> ModelConfiguration {
    let family = ModelRegistry.family(of: kind.rawValue)!
    var configuration = ModelConfiguration(family.init()).withSeed(7)
    if var mlp = configuration.as(MLPConfig.self) {
      (mlp.hidden, mlp.epochs, mlp.batchSize, mlp.learningRate) = ([8], 10, 16, 1e-2)
      configuration = ModelConfiguration(mlp)
    }
    if var cnn = configuration.as(CNNConfig.self) {
      cnn.layers = [.convolution(filters: 4, kernelSize: 3), .dense(units: 8)]
      (cnn.epochs, cnn.batchSize, cnn.learningRate) = (10, 16, 1e-2)
      configuration = ModelConfiguration(cnn)
    }
    return configuration
  }

  static func bits(_ model: any Model) -> [UInt64] {
    let tensors = model.tensors
    return tensors.parameters.values.map { UInt64($0.bitPattern) }
      + tensors.doubles.keys.sorted().flatMap { tensors.doubles[$0]!.map(\.bitPattern) }
  }

  static var kinds: [ModelKind] { ModelKind.allCases }

  @Test(arguments: kinds)
  func theKindNamesItsFamilyAndItsConfigurationRoundTrips(kind: ModelKind) throws {
    let configuration = Self.configuration(kind)
    #expect(configuration.kind == kind)
    #expect(ModelKind(rawValue: kind.rawValue) == kind)
    let decoded = try JSONDecoder().decode(
      ModelConfiguration.self, from: JSONEncoder().encode(configuration))
    #expect(decoded == configuration)
  }

  @Test(arguments: kinds)
  func saveAndLoadGiveTheSameBitsAndAnswers(kind: ModelKind) throws {
    let model = try Self.configuration(kind).fit(Self.data)
    #expect(model.kind == kind)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "contract-\(kind.rawValue)-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try ModelDirectory.save(model, metadata: ModelMetadata(expungeVersion: "test"), to: directory)
    let loaded = try ModelDirectory.load(from: directory).instantiate()
    #expect(loaded.configuration == model.configuration)
    #expect(Self.bits(loaded) == Self.bits(model))
    #expect(
      loaded.predictProbabilities(Self.data.features).storage
        == model.predictProbabilities(Self.data.features).storage)
  }

  @Test(arguments: kinds)
  func trainingTwiceGivesTheSameBits(kind: ModelKind) throws {
    let configuration = Self.configuration(kind)
    let a = try configuration.fit(Self.data)
    let b = try configuration.fit(Self.data)
    #expect(Self.bits(a) == Self.bits(b))
    // Better than chance on the rows it learned (a separable synthetic task).
    #expect(a.accuracy(Self.data.features, labels: Self.data.labels) > 0.75)
  }

  @Test(arguments: kinds)
  func badDataIsRefusedWithATypedError(kind: ModelKind) throws {
    let configuration = Self.configuration(kind)
    #expect(throws: ModelError.self) { try configuration.fit(Self.data.subset([])) }
    var features = Self.data.features
    features[0, 0] = .nan
    let notFinite = Dataset(
      ids: Self.data.ids, features: features, labels: Self.data.labels,
      classCount: Self.data.classCount)
    #expect(throws: (any Error).self) { try configuration.fit(notFinite) }
    // Saved tensors that do not fit the configuration are refused, not misread.
    let model = try configuration.fit(Self.data)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "contract-bad-\(kind.rawValue)-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try ModelDirectory.save(model, metadata: ModelMetadata(expungeVersion: "test"), to: directory)
    var saved = try ModelDirectory.load(from: directory)
    saved.featureCount += 1
    saved.doubleParameters = [:]
    #expect(throws: ModelError.self) { try saved.instantiate() }
  }

  @Test(arguments: kinds)
  func sisaForgettingEqualsTrainingWithoutTheRows(kind: ModelKind) throws {
    let configuration = Self.configuration(kind)
    let sisa = SISAConfig(shards: 2, slices: 2)
    var ensemble = try SISAEnsemble.fit(Self.data, configuration: configuration, sisa: sisa)
    let forgotten = Set(Self.data.ids.prefix(12))
    try ensemble.forget(forgotten)
    let retrained = try SISAEnsemble.fit(
      Self.data.removing(ids: forgotten), configuration: configuration, sisa: sisa)
    #expect(ensemble.shardModels.map(Self.bits) == retrained.shardModels.map(Self.bits))
  }
}
