import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation
import Testing

/// SISA over a shared base on permanent rows (`SISABase`): forgetting a forgettable row
/// still gives, bit for bit, the ensemble trained without it with the same permanent set;
/// permanent rows cannot be forgotten in place.
@Suite("SISA over a shared base")
struct SISABaseTests {
  static let data = SISATests.data
  /// Every row whose id is 0 or 1 mod 3: two thirds of the rows.
  static let permanent = Set(data.ids.filter { $0.rawValue % 3 != 2 })

  static func configuration(_ kind: String) -> ModelConfiguration {
    kind == "mlp" ? SISATests.mlp : SISATests.softmax
  }

  /// Forgettable ids over several shards, with slice 0 (a shard retrained from the base).
  static func forgetSet(_ ensemble: SISAEnsemble) -> Set<SampleID> {
    let candidates = ensemble.forgettable.ids
    var picked = Set(candidates.filter { ensemble.assignment.place($0).slice == 0 }.prefix(1))
    picked.formUnion(
      candidates.filter { ensemble.assignment.place($0).slice == ensemble.sisa.slices - 1 }
        .prefix(3))
    return picked
  }

  @Test(arguments: ["mlp", "softmax"])
  func forgettingEqualsTrainingWithoutTheRowsOverTheSameBase(kind: String) throws {
    let configuration = Self.configuration(kind)
    let sisa = SISAConfig(shards: 3, slices: 2)
    var ensemble = try SISAEnsemble.fit(
      Self.data, configuration: configuration, sisa: sisa, permanent: Self.permanent)
    let base = try #require(ensemble.base)
    #expect(Set(base.rows.ids) == Self.permanent)
    #expect(ensemble.forgettable.count == Self.data.count - Self.permanent.count)
    #expect(ensemble.shardSizes.reduce(0, +) == ensemble.forgettable.count)
    let forget = Self.forgetSet(ensemble)
    #expect(forget.count == 4 && forget.isDisjoint(with: Self.permanent))
    // In two requests, the second repeating one id of the first.
    let first = Set(forget.prefix(2))
    _ = try ensemble.forget(first)
    let report = try ensemble.forget(forget.union(first))
    #expect(Set(report.alreadyForgotten) == first)
    let oracle = try SISAEnsemble.fit(
      Self.data.removing(ids: forget), configuration: configuration, sisa: sisa,
      permanent: Self.permanent)
    SISATests.expectIdentical(ensemble, oracle)
    let oracleBase = try #require(oracle.base)
    #expect(SISATests.bits(oracleBase.checkpoint.model) == SISATests.bits(base.checkpoint.model))
    #expect(
      ensemble.predictProbabilities(Self.data.features)
        == oracle.predictProbabilities(Self.data.features))
  }

  /// The base is a function of the permanent rows alone: the same whatever the forgettable
  /// rows are, and what the shards start from.
  @Test(arguments: ["mlp", "softmax"])
  func theBaseSeesOnlyThePermanentRows(kind: String) throws {
    let configuration = Self.configuration(kind)
    let sisa = SISAConfig(shards: 2, slices: 1)
    let ensemble = try SISAEnsemble.fit(
      Self.data, configuration: configuration, sisa: sisa, permanent: Self.permanent)
    let alone = try SISABase.train(
      Self.data.subset(Self.data.ids.indices.filter { Self.permanent.contains(Self.data.ids[$0]) }),
      configuration: configuration, featureCount: Self.data.featureCount,
      classCount: Self.data.classCount)
    let base = try #require(ensemble.base)
    #expect(SISATests.bits(base.checkpoint.model) == SISATests.bits(alone.checkpoint.model))
    // The shards differ from those of an ensemble without a base: they build on it.
    let plain = try SISAEnsemble.fit(Self.data, configuration: configuration, sisa: sisa)
    #expect(SISATests.bits(plain.shardModels[0]) != SISATests.bits(ensemble.shardModels[0]))
    if let c = configuration.as(MLPConfig.self) {
      // The base's seed is derived from the model's, not the model's itself.
      let b = try #require(
        ShardSeeding.derived.baseConfiguration(configuration).as(MLPConfig.self))
      var rng = SeededGenerator(seed: c.seed).derived("base")
      #expect(b.seed == rng.next() && b.seed != c.seed)
    }
  }

  @Test func permanentIDsAreRefusedWithNothingChanged() throws {
    var ensemble = try SISAEnsemble.fit(
      Self.data, configuration: SISATests.softmax, sisa: SISAConfig(shards: 2, slices: 1),
      permanent: Self.permanent)
    let before = ensemble.checkpoints.map { $0.map { SISATests.bits($0.model) } }
    let forgettable = try #require(ensemble.forgettable.ids.first)
    #expect(throws: UnlearningError.permanentIDs(first: [SampleID(0)], count: 1)) {
      try ensemble.forget([SampleID(0), forgettable])
    }
    #expect(ensemble.data.count == Self.data.count && ensemble.forgotten.isEmpty)
    #expect(ensemble.checkpoints.map { $0.map { SISATests.bits($0.model) } } == before)
    #expect(
      "\(UnlearningError.permanentIDs(first: [SampleID(0)], count: 1))"
        == "id 0 is a permanent row: the shared base was trained on it and every shard starts from the base, so forgetting it means retraining everything"
    )
    #expect(throws: UnlearningError.unknownIDs(first: [SampleID(9_999)], count: 1)) {
      try SISAEnsemble.fit(
        Self.data, configuration: SISATests.softmax, sisa: SISAConfig(shards: 2, slices: 1),
        permanent: [SampleID(9_999)])
    }
  }
}
