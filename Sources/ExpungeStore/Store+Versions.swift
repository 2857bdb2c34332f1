import ExpungeCore
import ExpungeModels
import Foundation

/// Reading a chosen model version (`expunge predict --store DIR --version N`).
///
/// Once a request is done the store deletes every version but the new one (the older ones
/// learned from rows it has since forgotten or corrected), so a version other than the
/// current one can be read only while its files are still in `models/` — and a version whose
/// files are gone is refused with the request that replaced it.
extension Store {
  /// The versions the ledger records, oldest first, each with the request that made it (nil
  /// for version 1, made by training).
  public func recordedVersions() throws -> [(version: Int, request: Int?)] {
    try ledger.db.query("SELECT version, request FROM versions ORDER BY version").map {
      ($0[0].int!, $0[1].int)
    }
  }

  /// Version `n`'s shard models, which expect preprocessed inputs.
  /// - Throws: `StoreError.refused` when the ledger records no version `n`, or when its
  ///   files were deleted.
  public func shardModels(version n: Int) throws -> [any Classifier] {
    try preprocessedShardModels(version: n).map(\.model)
  }

  /// Version `n`'s shard models behind their preprocessing (see `preprocessedShardModels()`).
  /// - Throws: as `shardModels(version:)`.
  public func preprocessedShardModels(version n: Int) throws -> [PreprocessedClassifier] {
    let current = try currentVersion()
    if n == current { return try preprocessedShardModels() }
    let versions = try recordedVersions()
    guard versions.contains(where: { $0.version == n }) else {
      throw StoreError.refused(.noSuchVersion(path: directory.path, version: n, current: current))
    }
    guard FileManager.default.fileExists(atPath: layout.version(n).path) else {
      let replacedBy = versions.first { $0.version > n }
      throw StoreError.refused(
        .versionDeleted(
          path: directory.path, version: n, request: replacedBy?.request, current: current))
    }
    return try (0..<sisa.shards).map {
      try ModelDirectory.load(from: layout.model(version: n, shard: $0)).instantiatePreprocessed()
    }
  }

  /// Version `n`'s ensemble scores for `x` (rows as the data file holds them), from `models`
  /// (its shard models behind their preprocessing); with `--weight-by-shard-size` each shard
  /// weighs the rows it learned from in that version.
  public func predictProbabilities(
    _ x: Matrix, version n: Int, models: [PreprocessedClassifier]
  ) throws -> Matrix {
    guard n != (try currentVersion()) else { return try predictProbabilities(x, models: models) }
    let weights = sisa.weightByShardSize ? try shardRowCounts(version: n).map(Double.init) : nil
    return sisa.aggregation.combine(models.map { $0.predictProbabilities(x) }, weights: weights)
  }

  /// Rows each shard learned from in version `n`: those active now and those forgotten by a
  /// request that made a later version.
  func shardRowCounts(version n: Int) throws -> [Int] {
    try ledger.db.query(
      """
      SELECT shard, COUNT(*) FROM samples WHERE shard >= 0 AND (state = 'active'
        OR request IN (SELECT seq FROM requests WHERE version > ?))
      GROUP BY shard ORDER BY shard
      """, [.integer(Int64(n))]
    ).reduce(into: [Int](repeating: 0, count: sisa.shards)) { $0[$1[0].int!] = $1[1].int! }
  }
}
