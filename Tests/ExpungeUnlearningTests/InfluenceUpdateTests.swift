import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation
import Testing

/// Feature and label unlearning by influence updates: each update must land nearer the model
/// retrained on the corrected data than the unchanged model is (much nearer for an exact
/// Newton step on a convex model), and the corrections and checks must refuse bad requests.
@Suite("Influence updates")
struct InfluenceUpdateTests {
  static func data(classes: Int, seed: UInt64 = 11) throws -> Dataset {
    try DatasetCatalog.load("synthetic:n=400,d=5,classes=\(classes),seed=\(seed),sep=0.5")
  }

  /// 5 % of the rows, chosen by `seed`, moved to the next class.
  static func relabelling(_ data: Dataset, fraction: Double = 0.05, seed: UInt64 = 5)
    -> RowChanges
  {
    var rng = SeededGenerator(seed: seed)
    let rows = rng.choice(data.count, Int(Double(data.count) * fraction))
    return RowChanges(
      relabel: rows.map {
        .init(id: data.ids[$0], label: (data.labels[$0] + 1) % Int32(data.classCount))
      })
  }

  /// Features 0–2 zeroed in 10 % of the rows, chosen by `seed`.
  static func zeroing(_ data: Dataset, seed: UInt64 = 6) -> RowChanges {
    var rng = SeededGenerator(seed: seed)
    let rows = rng.choice(data.count, data.count / 10)
    return RowChanges(
      zeroFeatures: rows.flatMap { i in
        (0..<3).map { RowChanges.Cell(id: data.ids[i], feature: $0) }
      })
  }

  /// Parameter distance after centring each model's output intercepts: adding one constant
  /// to every class's intercept changes no prediction and no loss, and training drifts
  /// along it (the Newton solver's shifted factorization for softmax, Adam for the MLP).
  static func distance(_ a: any Classifier, _ b: any Classifier) -> Double {
    norm(zip(canonical(a), canonical(b)).map { $0 - $1 })
  }

  static func canonical(_ model: any Classifier) -> [Double] {
    var theta = Self.theta(model)
    let intercepts: Range<Int>? =
      switch model {
      case let softmax as SoftmaxRegression:
        softmax.config.fitIntercept ? 0..<softmax.classCount : nil
      case let mlp as MLP: mlp.parameters.view("layers.\(mlp.layerWidths.count - 2).bias").range
      default: nil
      }
    if let intercepts {
      let mean = intercepts.map { theta[$0] }.reduce(0, +) / Double(intercepts.count)
      for c in intercepts { theta[c] -= mean }
    }
    return theta
  }

  static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

  static func theta(_ model: any Classifier) -> [Double] {
    model.tensors.parameters.values.map(Double.init)
  }

  /// A trained convex model, its objective on `data` and a refit on other data.
  struct ConvexCase {
    var fit: (Dataset) throws -> any Classifier
    var objective: (any Classifier, Dataset) -> any ConvexObjective
  }

  static func convexCase(classes: Int) -> ConvexCase {
    if classes == 2 {
      var config = LogisticRegressionConfig()
      config.l2 = 0.1
      config.tolerance = 1e-7
      return ConvexCase(
        fit: { try LogisticRegression.fit($0, config: config) },
        objective: { ($0 as! LogisticRegression).objective(on: $1) })
    }
    var config = SoftmaxRegressionConfig()
    config.l2 = 0.1
    config.tolerance = 1e-7
    return ConvexCase(
      fit: { try SoftmaxRegression.fit($0, config: config) },
      objective: { ($0 as! SoftmaxRegression).objective(on: $1) })
  }

  /// 1/λ_max of the Hessian of `objective` at θ: the largest step that never overshoots.
  static func safeStep(_ objective: any ConvexObjective, at theta: [Double]) -> Double {
    var h = objective.hessian(theta, rowWeights: nil)
    return 1 / LAPACK.symmetricEigen(&h, n: objective.parameterCount).last!
  }

  @Test(arguments: [2, 3], ["relabel", "zero-features"])
  func convexUpdatesApproachTheRetrainedModel(classes: Int, correction: String) throws {
    let data = try Self.data(classes: classes)
    let convex = Self.convexCase(classes: classes)
    let model = try convex.fit(data)
    let corrections = correction == "relabel" ? Self.relabelling(data) : Self.zeroing(data)
    let (corrected, changes) = try corrections.apply(to: data)
    #expect(changes.count >= 20)
    let retrained = try convex.fit(corrected)
    let before = Self.distance(model, retrained)

    let (second, secondReport) = try InfluenceUpdate.apply(
      to: model, changes: changes, training: corrected, order: .second)
    let secondRatio = Self.distance(second, retrained) / before
    #expect(secondRatio < 0.1, "second order: ratio \(secondRatio)")
    #expect(second.kind == model.kind && second.configuration == model.configuration)
    #expect(secondReport.hessianSolve == "cholesky" && secondReport.order == 2)
    #expect(secondReport.rowsChanged == changes.count)

    let tau = Self.safeStep(convex.objective(model, corrected), at: Self.theta(model))
    let (first, firstReport) = try InfluenceUpdate.apply(
      to: model, changes: changes, training: corrected, order: .first(tau: tau))
    let firstRatio = Self.distance(first, retrained) / before
    #expect(firstRatio < 1, "first order: ratio \(firstRatio)")
    #expect(firstReport.order == 1 && firstReport.tau == tau)
    print(
      "influence \(classes) classes, \(correction): |Z| = \(changes.count), ‖θ − θ̃*‖ = \(before), second-order ratio \(secondRatio), first-order ratio \(firstRatio) (τ = \(tau))"
    )
  }

  /// One exact Newton step on the corrected objective: its gradient falls more than 20-fold
  /// with 5 % of the labels flipped (measured here, and the report must agree).
  @Test(arguments: [2, 3])
  func secondOrderNearlyZeroesTheNewGradient(classes: Int) throws {
    let data = try Self.data(classes: classes, seed: 12)
    let convex = Self.convexCase(classes: classes)
    let model = try convex.fit(data)
    let (corrected, changes) = try Self.relabelling(data, seed: 8).apply(to: data)
    let objective = convex.objective(model, corrected)
    let (updated, report) = try InfluenceUpdate.apply(
      to: model, changes: changes, training: corrected, order: .second)
    let gradientBefore = Self.norm(objective.gradient(Self.theta(model)))
    let gradientAfter = Self.norm(objective.gradient(Self.theta(updated)))
    #expect(gradientAfter < gradientBefore / 20, "\(gradientAfter) vs \(gradientBefore)")
    #expect(abs(report.gradientNormBefore - gradientBefore) <= 1e-9 * gradientBefore)
    #expect(abs(report.gradientNormAfter - gradientAfter) <= 1e-9 * gradientBefore)
    print("influence gradient \(classes) classes: \(gradientBefore) → \(gradientAfter)")
  }

  /// Above the exact-Hessian limit the convex step is solved by conjugate gradients on
  /// Hessian-vector products, and agrees with the Cholesky step.
  @Test func conjugateGradientsAgreeWithCholesky() throws {
    let data = try Self.data(classes: 3, seed: 13)
    let model = try Self.convexCase(classes: 3).fit(data)
    let (corrected, changes) = try Self.relabelling(data, seed: 9).apply(to: data)
    let (exact, _) = try InfluenceUpdate.apply(
      to: model, changes: changes, training: corrected, order: .second)
    var settings = InfluenceUpdate.Settings()
    settings.exactHessianLimit = 0
    let (iterative, report) = try InfluenceUpdate.apply(
      to: model, changes: changes, training: corrected, order: .second, settings: settings)
    #expect(report.hessianSolve == "conjugate-gradient" && report.cgStop == .converged)
    let gap = Self.distance(exact, iterative)
    #expect(gap < 1e-3 * Self.distance(exact, model), "gap \(gap)")
    print("influence CG vs Cholesky: gap \(gap), \(report.cgIterations ?? -1) iterations")
  }

  // MARK: MLP

  static func mlpConfig() -> MLPConfig {
    var c = MLPConfig()
    c.hidden = [12]
    c.activation = .tanh
    c.epochs = 2_000
    c.batchSize = 300  // full batch: Adam settles near a stationary point
    c.learningRate = 1e-2
    c.weightDecay = 0.05
    c.seed = 3
    return c
  }

  /// A near-converged small network: the second-order update lands nearer both the network
  /// retrained from scratch on D̃ (same seed) and the original one trained on for as long
  /// again on D̃ (the minimum of the same basin), and CG really solved (H + μI)v = g.
  @Test func mlpSecondOrderMovesTowardTheRetrainedModel() throws {
    let data = try DatasetCatalog.load("synthetic:n=300,d=6,classes=3,seed=22,sep=1")
    let config = Self.mlpConfig()
    let model = try MLP.fit(data, config: config)
    let (corrected, changes) = try Self.relabelling(data, fraction: 0.06, seed: 4).apply(to: data)
    let scratch = try MLP.fit(corrected, config: config)
    var continued = model
    var state = continued.makeOptimizerState()
    try continued.train(
      on: corrected, epochs: config.epochs..<(2 * config.epochs), optimizerState: &state)

    let (updated, report) = try InfluenceUpdate.apply(
      to: model, changes: changes, training: corrected, order: .second)
    let scratchRatio = Self.distance(updated, scratch) / Self.distance(model, scratch)
    let continuedRatio = Self.distance(updated, continued) / Self.distance(model, continued)
    #expect(scratchRatio < 1, "MLP second order vs scratch: ratio \(scratchRatio)")
    #expect(continuedRatio < 0.75, "MLP second order vs continued: ratio \(continuedRatio)")
    #expect(report.hessianSolve == "conjugate-gradient" && report.damping == 0.01)
    #expect(report.cgStop == .converged)
    #expect(report.gradientNormAfter < 0.5 * report.gradientNormBefore)

    // (H + μI)v = g, rechecked: v = θ − θ⁺, g the mean-objective gradient difference, H the
    // Hessian on D (the data the model was trained on).
    let scale = Float(changes.count) / Float(corrected.count)
    let gNew = model.gradient(changes.new.features, labels: changes.new.labels)
    let gOld = model.gradient(changes.old.features, labels: changes.old.labels)
    let g = (0..<gNew.count).map { Double(scale * (gNew[$0] - gOld[$0])) }
    let v = zip(model.tensors.parameters.values, updated.tensors.parameters.values).map { $0 - $1 }
    let hv = model.hessianVectorProduct(
      data.features, labels: data.labels, vector: v, weightDecay: config.weightDecay)
    let residual = Self.norm((0..<g.count).map { g[$0] - Double(hv[$0]) - 0.01 * Double(v[$0]) })
    let relative = residual / Self.norm(g)
    #expect(relative < 1e-3, "relative residual \(relative)")

    let (first, _) = try InfluenceUpdate.apply(
      to: model, changes: changes, training: corrected, order: .first(tau: 1))
    let firstRatio = Self.distance(first, continued) / Self.distance(model, continued)
    #expect(firstRatio < 1, "MLP first order vs continued: ratio \(firstRatio)")
    print(
      "influence MLP: |Z| = \(changes.count), ratio vs scratch \(scratchRatio), vs continued \(continuedRatio), first order (τ = 1) vs continued \(firstRatio), CG \(report.cgIterations ?? -1) iterations, residual \(report.cgRelativeResidual ?? -1) (rechecked \(relative)), gradient \(report.gradientNormBefore) → \(report.gradientNormAfter)"
    )
  }

  // MARK: Corrections

  @Test func correctionsChangeOnlyWhatDiffersAndAreIdempotent() throws {
    let data = try Self.data(classes: 3)
    let same = data.ids[1]
    let corrections = RowChanges(
      relabel: [
        .init(id: data.ids[0], label: (data.labels[0] + 1) % 3),
        .init(id: same, label: data.labels[1]),
      ],
      zeroFeatures: [.init(id: data.ids[2], feature: 1)],
      zeroColumns: [4])
    let (corrected, changes) = try corrections.apply(to: data)
    #expect(corrected.ids == data.ids && corrected.count == data.count)
    #expect(corrected.labels[0] == (data.labels[0] + 1) % 3)
    #expect(corrected.features[2, 1] == 0)
    #expect((0..<data.count).allSatisfy { corrected.features[$0, 4] == 0 })
    // Relabelling a row to its own label changes nothing; column 4 changes every row.
    #expect(changes.count == data.count)
    #expect(changes.old.labels[1] == data.labels[1] && changes.new == corrected)
    #expect(changes.old == data)

    let (again, none) = try corrections.apply(to: corrected)
    #expect(again == corrected)
    #expect(none.isEmpty)

    let (onlyLabel, labelChange) = try RowChanges(relabel: [
      .init(id: data.ids[5], label: (data.labels[5] + 2) % 3)
    ])
    .apply(to: data)
    #expect(labelChange.ids == [data.ids[5]])
    #expect(labelChange.old.features == labelChange.new.features)
    #expect(onlyLabel.features == data.features)
  }

  @Test func correctionsRefuseUnknownIDsColumnsAndLabels() throws {
    let data = try Self.data(classes: 3)
    let known = data.ids[3]
    let stranger = SampleID(10_000)
    #expect(throws: UnlearningError.unknownIDs(first: [stranger], count: 1)) {
      try RowChanges(relabel: [.init(id: stranger, label: 0)]).apply(to: data)
    }
    #expect(throws: UnlearningError.unknownIDs(first: [stranger], count: 1)) {
      try RowChanges(zeroFeatures: [.init(id: stranger, feature: 0)]).apply(to: data)
    }
    let refusals: [(RowChanges, RowChangeError)] = [
      (
        RowChanges(zeroFeatures: [.init(id: known, feature: 5)]),
        RowChangeError.noSuchFeature(id: known, feature: 5, featureCount: 5)
      ),
      (
        RowChanges(zeroColumns: [-1, 3]), RowChangeError.noSuchColumn(feature: -1, featureCount: 5)
      ),
      (
        RowChanges(relabel: [.init(id: known, label: 3)]),
        RowChangeError.noSuchClass(id: known, label: 3, classCount: 3)
      ),
      (
        RowChanges(relabel: [.init(id: known, label: -1)]),
        RowChangeError.noSuchClass(id: known, label: -1, classCount: 3)
      ),
    ]
    for (changes, error) in refusals {
      #expect(throws: error) { try changes.apply(to: data) }
    }
  }

  // MARK: Errors

  /// Runs `body`, which must throw an `UnlearningError` that `matches`.
  static func expectUnlearningError(
    _ what: String, _ matches: (UnlearningError) -> Bool, _ body: () throws -> Void
  ) {
    do {
      try body()
      Issue.record("\(what) was accepted")
    } catch let error as UnlearningError {
      #expect(matches(error), "\(what): \(error)")
    } catch {
      Issue.record("\(what): \(error)")
    }
  }

  @Test func badRequestsAreRefused() throws {
    let data = try Self.data(classes: 2, seed: 14)
    let model = try Self.convexCase(classes: 2).fit(data)
    let (corrected, changes) = try Self.relabelling(data).apply(to: data)
    for tau in [0.0, -1, .nan, .infinity] {
      Self.expectUnlearningError(
        "τ = \(tau)", { if case .invalidSetting = $0 { true } else { false } }
      ) {
        _ = try InfluenceUpdate.apply(
          to: model, changes: changes, training: corrected, order: .first(tau: tau))
      }
    }
    var certifiedConfig = CertifiedLogisticConfig()
    certifiedConfig.tolerance = 1e-3
    let unsupported: [any Classifier] = [
      try RidgeClassifier.fit(data),
      try CertifiedLogisticRegression.fit(data, config: certifiedConfig),
    ]
    for other in unsupported {
      Self.expectUnlearningError(
        "\(other.kind)",
        { if case .unsupportedModel(other.kind, _, _) = $0 { true } else { false } }
      ) {
        _ = try InfluenceUpdate.apply(
          to: other, changes: changes, training: corrected, order: .second)
      }
    }
    // D̃ must hold the new values: the uncorrected data does not.
    Self.expectUnlearningError(
      "uncorrected data",
      { if case .inconsistentChange(let id, _) = $0 { id == changes.ids[0] } else { false } }
    ) {
      _ = try InfluenceUpdate.apply(to: model, changes: changes, training: data, order: .second)
    }
    // Changed ids must be rows of D̃.
    let strangerRow = changes.new.subset([0])
    var stranger = strangerRow
    stranger.ids = [SampleID(99_999)]
    var strangerOld = changes.old.subset([0])
    strangerOld.ids = stranger.ids
    let strangers = try ChangedRows(old: strangerOld, new: stranger)
    Self.expectUnlearningError(
      "unknown id", { $0 == .unknownIDs(first: [SampleID(99_999)], count: 1) }
    ) {
      _ = try InfluenceUpdate.apply(
        to: model, changes: strangers, training: corrected, order: .second)
    }
    // Old and new rows must name the same ids in the same order.
    Self.expectUnlearningError(
      "reordered ids", { if case .inconsistentChange = $0 { true } else { false } }
    ) {
      _ = try ChangedRows(old: changes.old, new: changes.new.subset(Array(1..<changes.count) + [0]))
    }
    // Labels of a 3-class task for a binary model.
    let threeClasses = try Self.data(classes: 3)
    let (corrected3, changes3) = try Self.relabelling(threeClasses).apply(to: threeClasses)
    Self.expectUnlearningError(
      "label 2 for a binary model",
      { if case .labelOutOfRange(_, 2, 2) = $0 { true } else { false } }
    ) {
      _ = try InfluenceUpdate.apply(
        to: model, changes: changes3, training: corrected3, order: .second)
    }
    // Another width.
    let narrow = try DatasetCatalog.load("synthetic:n=50,d=4,classes=2,seed=1")
    let (correctedNarrow, changesNarrow) = try Self.relabelling(narrow).apply(to: narrow)
    #expect(throws: DataError.self) {
      try InfluenceUpdate.apply(
        to: model, changes: changesNarrow, training: correctedNarrow, order: .second)
    }
    // Damping below 0 and a CG cap below 1.
    var settings = InfluenceUpdate.Settings()
    settings.damping = -1
    Self.expectUnlearningError("μ = −1", { if case .invalidSetting = $0 { true } else { false } }) {
      _ = try InfluenceUpdate.apply(
        to: model, changes: changes, training: corrected, order: .second, settings: settings)
    }
  }
}
