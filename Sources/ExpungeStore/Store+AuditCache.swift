import ExpungeData
import ExpungeModels
import Foundation

extension Store {
  /// The audit's models trained on the current version's kept rows (the oracle and the
  /// ε-score's retrained models), cached so a second audit of the same version reuses them.
  ///
  /// Only a model that never saw a forgotten row may be cached here: the store promises to
  /// keep no checkpoint trained on forgotten rows, and every forget request's `purge` deletes
  /// the cache of every version but the new one — so a model trained on rows that a later
  /// request forgets goes with them. Returns nil when `name` is not cached.
  public func cachedModels(_ name: String) throws -> [PreprocessedClassifier]? {
    let directory = layout.auditCache(version: try currentVersion(), name: name)
    guard FileManager.default.fileExists(atPath: directory.path) else { return nil }
    let count = (try FileManager.default.contentsOfDirectory(atPath: directory.path))
      .filter { $0.hasPrefix("model-") }.count
    return try (0..<count).map {
      try ModelDirectory.load(from: directory.appendingPathComponent("model-\($0)"))
        .instantiatePreprocessed()
    }
  }

  /// Caches `models` (one per shard, each with its standardizer; the scaling is the store's)
  /// under `name` for the current version: written into a temporary sibling, then renamed,
  /// so a crash leaves either no entry or a whole one.
  public func cacheModels(_ models: [PreprocessedClassifier], name: String) throws {
    precondition(
      !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" },
      "cache names are letters, digits and '-'")
    let directory = layout.auditCache(version: try currentVersion(), name: name)
    try CheckpointFiles.writeDirectory(directory) { temporary in
      for (k, model) in models.enumerated() {
        precondition(model.scaling == preprocessing.scaling, "a model of another scaling")
        try ModelDirectory.save(
          model.model, standardizer: model.standardizer, metadata: metadata,
          to: temporary.appendingPathComponent("model-\(k)"))
      }
    }
  }
}
