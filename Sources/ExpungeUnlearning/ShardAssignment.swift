import ExpungeCore
import ExpungeData

/// Where a row lives in a SISA ensemble: a pure function of its `SampleID` and the
/// assignment seed, never of its position, so removing other rows never moves a row — the
/// property that makes "retrain the affected shards" equal "train without the rows".
public struct ShardAssignment: Sendable, Hashable {
  public let shards: Int
  public let slices: Int
  public let seed: UInt64

  public init(shards: Int, slices: Int, seed: UInt64) {
    precondition(shards >= 1 && slices >= 1, "ShardAssignment: shards and slices must be ≥ 1")
    self.shards = shards
    self.slices = slices
    self.seed = seed
  }

  /// The (shard, slice) of `id`: two unbiased draws from a generator derived from the seed
  /// and the id.
  public func place(_ id: SampleID) -> (shard: Int, slice: Int) {
    var rng = SeededGenerator(seed: seed).derived("sisa-assignment").derived(id.rawValue)
    let shard = rng.nextInt(below: shards)
    return (shard, rng.nextInt(below: slices))
  }

  /// For every shard and slice, the positions of `data`'s rows placed there, in row order.
  public func partition(_ data: Dataset) -> [[[Int]]] {
    var out = [[[Int]]](
      repeating: [[Int]](repeating: [], count: slices), count: shards)
    for (i, id) in data.ids.enumerated() {
      let (k, r) = place(id)
      out[k][r].append(i)
    }
    return out
  }
}

extension ShardAssignment {
  /// For each shard holding one of `placements`, the first stage that saw any of them: the
  /// stage a forget or correction request retrains that shard from. The one rule for the
  /// in-memory ensemble and the store (whose ledger records each row's placement).
  public static func firstAffectedStages(
    _ placements: some Sequence<(shard: Int, slice: Int)>
  ) -> [Int: Int] {
    var first: [Int: Int] = [:]
    for (shard, slice) in placements { first[shard] = min(first[shard] ?? slice, slice) }
    return first
  }
}
