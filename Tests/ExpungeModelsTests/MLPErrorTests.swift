import ExpungeCore
import ExpungeData
import ExpungeModels
import Testing

@Suite("MLP errors")
struct MLPErrorTests {
  static let data = MLPFixtures.blobs(n: 20, d: 3, k: 2, seed: 9)

  static func fit(_ data: Dataset = data, _ change: (inout MLPConfig) -> Void = { _ in }) throws
    -> MLP
  {
    var config = MLPFixtures.config(hidden: [4], epochs: 1)
    change(&config)
    return try MLP.fit(data, config: config)
  }

  @Test("empty training data")
  func empty() {
    let empty = Self.data.subset([Int]())
    #expect(throws: ModelError.self) { try Self.fit(empty) }
    do {
      _ = try Self.fit(empty)
    } catch {
      #expect(
        "\(error)" == "MLP: the training data from blobs has 0 rows; expected at least 1")
    }
  }

  @Test("bad hyperparameters name the parameter, the value and the range")
  func hyperparameters() {
    let cases: [((inout MLPConfig) -> Void, String)] = [
      (
        { $0.hidden = [4, 0] },
        "MLP: hidden = [4, 0] is invalid; expected every hidden width ≥ 1 (found 0)"
      ),
      ({ $0.batchSize = 0 }, "MLP: batchSize = 0 is invalid; expected an integer ≥ 1"),
      ({ $0.epochs = -1 }, "MLP: epochs = -1 is invalid; expected an integer ≥ 0"),
      ({ $0.learningRate = 0 }, "MLP: learningRate = 0.0 is invalid; expected a finite number > 0"),
      (
        { $0.learningRate = .nan },
        "MLP: learningRate = nan is invalid; expected a finite number > 0"
      ),
      ({ $0.momentum = 1 }, "MLP: momentum = 1.0 is invalid; expected a number in [0, 1)"),
      ({ $0.weightDecay = -1 }, "MLP: weightDecay = -1.0 is invalid; expected a finite number ≥ 0"),
    ]
    for (change, message) in cases {
      #expect(performing: { _ = try Self.fit(Self.data, change) }, throws: { "\($0)" == message })
    }
  }

  @Test("NaN and infinite features name the row, its id and the feature")
  func nonFinite() {
    for bad in [Float.nan, .infinity] {
      var data = Self.data
      data.features[13, 2] = bad
      #expect(
        performing: { _ = try Self.fit(data) },
        throws: {
          "\($0)"
            == "MLP: training row 13 (id 13), feature 2 is \(bad); expected finite values — impute or drop such rows"
        })
    }
  }

  @Test("labels outside 0..<classCount")
  func labels() {
    var data = Self.data
    data.labels[5] = 2
    #expect(
      performing: { _ = try Self.fit(data) },
      throws: {
        "\($0)" == "MLP: training row 5 (id 5) has label 2; expected a class in 0..<2"
      })
    data.labels[5] = -1
    #expect(throws: ModelError.self) { try Self.fit(data) }
  }

  @Test("one class, wrong validation width, mismatched optimizer state, wrong saved layout")
  func shapes() throws {
    var oneClass = Self.data
    oneClass.classCount = 1
    oneClass.labels = oneClass.labels.map { _ in 0 }
    #expect(throws: ModelError.self) { try Self.fit(oneClass) }

    let narrow = MLPFixtures.blobs(n: 5, d: 2, k: 2)
    #expect(
      performing: {
        _ = try MLP.fit(Self.data, validation: narrow, config: MLPFixtures.config(hidden: [4]))
      },
      throws: { "\($0)" == "X has 2 features, but MLP is expecting 3 features as input" })

    var model = try Self.fit()
    var sgdState = OptimizerState(kind: .sgd, parameterCount: model.parameters.count)
    #expect(
      throws: ModelError.layoutMismatch(
        name: "optimizer state (sgd)", expectedShape: [model.parameters.count],
        actualShape: [model.parameters.count])
    ) { try model.train(on: Self.data, epochs: 1..<2, optimizerState: &sgdState) }

    var other = MLPFixtures.config(hidden: [5], epochs: 1)
    other.seed = 1
    #expect(
      throws: ModelError.layoutMismatch(name: "layers.0.bias", expectedShape: [5], actualShape: [4])
    ) {
      try MLP(
        configuration: ModelConfiguration(other), featureCount: 3, classCount: 2,
        parameters: model.parameters)
    }
    #expect(throws: ModelError.self) {
      try MLP(
        configuration: ModelConfiguration(RidgeConfig()), featureCount: 3, classCount: 2,
        parameters: model.parameters)
    }
  }

  @Test("divergence is reported, not returned")
  func divergence() {
    let wild = MLPFixtures.blobs(n: 64, d: 3, k: 2, separation: 1e18, seed: 1)
    #expect(
      performing: {
        _ = try Self.fit(wild) {
          $0.learningRate = 1e30
          $0.optimizer = .sgd
          $0.momentum = 0
          $0.epochs = 3
        }
      },
      throws: { error in
        guard case ModelError.diverged(let model, let reason)? = error as? ModelError else {
          return false
        }
        return model == "MLP" && reason.hasPrefix("the mean training loss of epoch ")
      })
  }
}
