import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation
import Testing

/// SISA's contract: forgetting F gives, bit for bit, the ensemble trained without F.
@Suite("SISA")
struct SISATests {
  static let data = try! DatasetCatalog.load("synthetic:n=360,d=6,classes=3,seed=3,sep=1.5")

  static var mlp: ModelConfiguration {
    var c = MLPConfig()
    c.hidden = [8]
    c.epochs = 4
    c.batchSize = 16
    c.learningRate = 1e-2
    c.seed = 5
    return ModelConfiguration(c)
  }

  static var softmax: ModelConfiguration {
    var c = SoftmaxRegressionConfig()
    c.l2 = 1e-2
    c.solver = .lbfgs
    return ModelConfiguration(c)
  }

  static func bits(_ model: any Classifier) -> [UInt32] {
    model.tensors.parameters.values.map(\.bitPattern)
  }

  static func expectIdentical(_ a: SISAEnsemble, _ b: SISAEnsemble) {
    #expect(a.data.ids == b.data.ids)
    for k in 0..<a.checkpoints.count {
      for r in 0..<a.checkpoints[k].count {
        // Compared as Bools so a failure names the checkpoint instead of printing its bits.
        let sameParameters = bits(a.checkpoints[k][r].model) == bits(b.checkpoints[k][r].model)
        let sameState = a.checkpoints[k][r].optimizerState == b.checkpoints[k][r].optimizerState
        #expect(sameParameters, "shard \(k) stage \(r): parameters differ")
        #expect(sameState, "shard \(k) stage \(r): optimizer state differs")
      }
    }
  }

  /// Shard k > 0 draws from its own derived stream; a store written before the derivation
  /// (no `shardSeeding` in its settings) keeps seed + k for the MLP, so its retrained shards
  /// stay what training would give.
  @Test func shardSeedsAreDerivedAndOldStoresKeepTheirs() throws {
    let seed = try #require(Self.mlp.seed)
    #expect(ShardSeeding.derived.configuration(Self.mlp, shard: 0).seed == seed)
    var rng = SeededGenerator(seed: seed).derived("shard").derived(1)
    #expect(ShardSeeding.derived.configuration(Self.mlp, shard: 1).seed == rng.next())
    #expect(ShardSeeding.legacySum.configuration(Self.mlp, shard: 1).seed == seed + 1)
    #expect(ShardSeeding.derived.configuration(Self.softmax, shard: 3) == Self.softmax)
    let written =
      try JSONSerialization.jsonObject(
        with: JSONEncoder().encode(SISAConfig(shards: 2, slices: 1))) as! [String: Any]
    #expect(written["shardSeeding"] as? String == "derived")
    let old = try JSONSerialization.data(
      withJSONObject: written.filter { $0.key != "shardSeeding" })
    #expect(try JSONDecoder().decode(SISAConfig.self, from: old).shardSeeding == nil)
  }

  @Test func placementDependsOnlyOnTheIDAndIsBalanced() {
    let assignment = ShardAssignment(shards: 5, slices: 4, seed: 9)
    var counts = [Int](repeating: 0, count: 5)
    for raw in 0..<5_000 {
      let id = SampleID(UInt64(raw))
      let (k, r) = assignment.place(id)
      #expect(assignment.place(id) == (k, r))
      #expect((0..<4).contains(r))
      counts[k] += 1
    }
    let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - 1_000, 2) / 1_000 }
    #expect(chiSquare < 18.5, "4 degrees of freedom: P(χ² > 18.5) = 0.001; counts \(counts)")
    // Another seed places rows differently.
    let other = ShardAssignment(shards: 5, slices: 4, seed: 10)
    #expect(
      (0..<100).contains {
        other.place(SampleID(UInt64($0))) != assignment.place(SampleID(UInt64($0)))
      })
  }

  @Test func oneShardOneSliceIsPlainTraining() throws {
    let sisa = SISAConfig(shards: 1, slices: 1)
    for configuration in [Self.mlp, Self.softmax] {
      let ensemble = try SISAEnsemble.fit(Self.data, configuration: configuration, sisa: sisa)
      let plain = try configuration.fit(Self.data)
      #expect(Self.bits(ensemble.shardModels[0]) == Self.bits(plain))
    }
  }

  @Test func epochsPerSliceKeepTheTotalWork() {
    #expect(SliceSchedule.epochsPerStage(epochs: 10, slices: 1) == 10)
    // Stages of 4 epochs over 1/4, 2/4, 3/4, 4/4 of the shard: 4·(1+2+3+4)/4 = 10 passes.
    #expect(SliceSchedule.epochsPerStage(epochs: 10, slices: 4) == 4)
    #expect(SliceSchedule.epochs(stage: 2, epochs: 10, slices: 4) == 8..<12)
    #expect(SliceSchedule.epochsPerStage(epochs: 1, slices: 8) == 1)
  }

  /// Ids spread over several shards and slices, including slice 0 (a shard retrained from
  /// scratch) — chosen by the assignment, so the test covers both cases whatever the seed.
  static func forgetSet(_ ensemble: SISAEnsemble) -> Set<SampleID> {
    var picked: [SampleID] = []
    var firstSliceSeen = false
    var laterSliceSeen = false
    for id in Self.data.ids {
      let (_, r) = ensemble.assignment.place(id)
      if r == 0 && !firstSliceSeen {
        picked.append(id)
        firstSliceSeen = true
      } else if r == ensemble.sisa.slices - 1 && picked.count < 5 {
        picked.append(id)
        laterSliceSeen = true
      }
      if firstSliceSeen && laterSliceSeen && picked.count >= 5 { break }
    }
    return Set(picked)
  }

  @Test(arguments: ["mlp", "softmax"])
  func forgettingEqualsTrainingWithoutTheRows(kind: String) throws {
    let configuration = kind == "mlp" ? Self.mlp : Self.softmax
    let sisa = SISAConfig(shards: 3, slices: 3)
    var ensemble = try SISAEnsemble.fit(Self.data, configuration: configuration, sisa: sisa)
    let before = ensemble.checkpoints
    let forget = Self.forgetSet(ensemble)
    let report = try ensemble.forget(forget)
    #expect(Set(report.removed) == forget)
    let oracle = try SISAEnsemble.fit(
      Self.data.removing(ids: forget), configuration: configuration, sisa: sisa)
    Self.expectIdentical(ensemble, oracle)
    // Only affected shards were retrained, each from its first affected stage; earlier
    // checkpoints are the very ones trained before (they never saw a forgotten row).
    for k in 0..<sisa.shards {
      let from = report.retrainedStages[k] ?? sisa.slices
      let firstAffected = forget.map { ensemble.assignment.place($0) }.filter { $0.shard == k }
        .map(\.slice).min()
      #expect(from == firstAffected ?? sisa.slices)
      for r in 0..<from {
        let kept = Self.bits(before[k][r].model) == Self.bits(ensemble.checkpoints[k][r].model)
        #expect(kept, "shard \(k) stage \(r) should have been kept")
      }
    }
    #expect(
      ensemble.predictProbabilities(Self.data.features)
        == oracle.predictProbabilities(Self.data.features))
  }

  @Test func requestsInSequenceEqualOneBatchAndRepeatsAreIdempotent() throws {
    let sisa = SISAConfig(shards: 2, slices: 2)
    var ensemble = try SISAEnsemble.fit(Self.data, configuration: Self.mlp, sisa: sisa)
    let first: Set<SampleID> = [SampleID(3), SampleID(40)]
    let second: Set<SampleID> = [SampleID(41), SampleID(200), SampleID(301)]
    _ = try ensemble.forget(first)
    let report = try ensemble.forget(second.union([SampleID(3)]))
    #expect(report.alreadyForgotten == [SampleID(3)])
    let oracle = try SISAEnsemble.fit(
      Self.data.removing(ids: first.union(second)), configuration: Self.mlp, sisa: sisa)
    Self.expectIdentical(ensemble, oracle)
    let again = try ensemble.forget(first)
    #expect(again.removed.isEmpty && again.retrainedStages.isEmpty)
    Self.expectIdentical(ensemble, oracle)
  }

  @Test func unknownAndEmptyRequestsAreRefusedWithNothingChanged() throws {
    var ensemble = try SISAEnsemble.fit(
      Self.data, configuration: Self.softmax, sisa: SISAConfig(shards: 2, slices: 1))
    let before = ensemble.checkpoints.map { $0.map { Self.bits($0.model) } }
    let unknown = Set((1_000..<1_012).map { SampleID(UInt64($0)) })
    #expect(
      throws: UnlearningError.unknownIDs(
        first: (1_000..<1_010).map { SampleID(UInt64($0)) }, count: 12)
    ) {
      try ensemble.forget(unknown.union([SampleID(1)]))
    }
    #expect(throws: UnlearningError.emptyRequest) { try ensemble.forget([]) }
    #expect(ensemble.data.count == Self.data.count)
    #expect(ensemble.checkpoints.map { $0.map { Self.bits($0.model) } } == before)
    #expect(
      "\(UnlearningError.unknownIDs(first: [SampleID(7)], count: 1))"
        == "id 7 is not a training row of this model")
  }

  @Test func aggregationByVoteAndByMeanProbability() {
    let a = Matrix([[0.6, 0.4, 0], [0.1, 0.2, 0.7]])
    let b = Matrix([[0.2, 0.8, 0], [0.3, 0.3, 0.4]])
    let c = Matrix([[0.45, 0.55, 0], [0.5, 0.4, 0.1]])
    let votes = SISAAggregation.vote.combine([a, b, c])
    #expect(votes.argmaxRows() == [1, 2])
    #expect(abs(votes[0, 1] - 2.0 / 3) < 1e-6 && abs(votes[1, 0] - 1.0 / 3) < 1e-6)
    let mean = SISAAggregation.meanProbability.combine([a, b, c])
    #expect(abs(mean[0, 0] - 0.4166667) < 1e-6 && abs(mean[1, 2] - 0.4) < 1e-6)
    // Weighted by shard size: a shard with 3× the rows outvotes the other two.
    let weighted = SISAAggregation.vote.combine([a, b, c], weights: [3, 1, 1])
    #expect(weighted.argmaxRows() == [0, 2])
    // Ties go to the lower class.
    #expect(SISAAggregation.vote.combine([a, b]).argmaxRows()[0] == 0)
  }
}
