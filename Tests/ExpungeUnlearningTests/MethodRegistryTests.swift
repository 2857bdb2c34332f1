import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation
import Testing

/// The registry of unlearning methods, and fine-tuning as the first model-update method.
@Suite("Unlearning methods")
struct MethodRegistryTests {
  @Test func namesAreUniqueAndEveryMethodAnswersForEveryFamily() {
    let names = UnlearningMethods.all.map { $0.name }
    #expect(Set(names).count == names.count)
    let configurations = ModelKind.allCases.map {
      ModelConfiguration(ModelRegistry.family(of: $0.rawValue)!.init())
    }
    for method in UnlearningMethods.all {
      let found = UnlearningMethods.named(method.name).map { $0.name }
      #expect(found == method.name)
      let exact = method.guarantee == .exact
      for configuration in configurations {
        let refusal = method.refusal(for: configuration)
        // Exact retraining applies to every family; a refusal says why in words.
        #expect(!exact || refusal == nil)
        #expect((refusal?.count ?? 100) > 20)
      }
    }
  }

  @Test func settingsRoundTripThroughTheLedgersJSON() throws {
    var settings = FineTuneMethod.Settings()
    settings.epochs = 3
    settings.learningRate = 0.02
    let method = try FineTuneMethod(settings: settings)
    let rebuilt = try FineTuneMethod.make(settings: method.settingsJSON) as? FineTuneMethod
    #expect(rebuilt?.settings == settings)
    // Keys left out keep their defaults.
    let partial = try FineTuneMethod.make(settings: .object(["epochs": .number(7)]))
    #expect(
      (partial as? FineTuneMethod)?.settings.learningRate == FineTuneMethod.Settings().learningRate)
    #expect(throws: UnlearningError.self) {
      try FineTuneMethod.make(settings: .object(["epochs": .string("many")]))
    }
  }

  /// Fine-tuning on the kept rows lowers the loss on them, keeps the configuration, and is
  /// a function of the seed.
  @Test func finetuneTrainsOnTheKeptRowsOnly() throws {
    let data = try DatasetCatalog.load("synthetic:n=300,d=6,classes=3,seed=9,sep=1.0")
    var c = MLPConfig()
    (c.hidden, c.epochs, c.batchSize, c.learningRate) = ([16], 1, 32, 1e-2)
    let model = try MLP.fit(data, config: c)
    let forget = data.subset(Array(0..<30))
    let retain = data.removing(ids: Set(forget.ids))
    let method = try FineTuneMethod()
    let (updated, report) = try method.apply(
      to: model, forgetting: forget, retaining: retain, seed: 1)
    #expect(updated.configuration == model.configuration)
    #expect(
      updated.meanLoss(retain.features, labels: retain.labels)
        < model.meanLoss(retain.features, labels: retain.labels))
    #expect(report.keptRows == retain.count && report.forgottenRows == forget.count)
    #expect(report.parameterChange > 0)
    let again = try method.apply(to: model, forgetting: forget, retaining: retain, seed: 1)
    #expect(again.model.tensors.parameters.values == updated.tensors.parameters.values)
    let otherSeed = try method.apply(to: model, forgetting: forget, retaining: retain, seed: 2)
    #expect(otherSeed.model.tensors.parameters.values != updated.tensors.parameters.values)
  }
}
