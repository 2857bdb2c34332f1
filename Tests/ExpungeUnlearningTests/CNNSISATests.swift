import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Testing

/// SISA's contract for the CNN: forgetting F gives, bit for bit, the ensemble trained
/// without F.
@Suite("SISA with a CNN")
struct CNNSISATests {
  /// `SISATests.data`'s 6 features as 2×3 single-channel images.
  static var cnn: ModelConfiguration {
    var c = CNNConfig()
    c.layers = [.convolution(filters: 4, kernelSize: 2), .dense(units: 8)]
    c.inputShape = TensorShape(height: 2, width: 3, channels: 1)
    c.epochs = 4
    c.batchSize = 16
    c.learningRate = 1e-2
    c.seed = 5
    return ModelConfiguration(c)
  }

  @Test func forgettingEqualsTrainingWithoutTheRows() throws {
    let sisa = SISAConfig(shards: 3, slices: 3)
    let data = SISATests.data
    var ensemble = try SISAEnsemble.fit(data, configuration: Self.cnn, sisa: sisa)
    let forget = SISATests.forgetSet(ensemble)
    let report = try ensemble.forget(forget)
    #expect(Set(report.removed) == forget)
    let oracle = try SISAEnsemble.fit(
      data.removing(ids: forget), configuration: Self.cnn, sisa: sisa)
    SISATests.expectIdentical(ensemble, oracle)
    #expect(
      ensemble.predictProbabilities(data.features) == oracle.predictProbabilities(data.features))
    #expect(ensemble.checkpoints[0][0].model is CNN)
  }
}
