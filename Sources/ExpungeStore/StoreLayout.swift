import Foundation

/// Where everything lives in a store directory.
///
///     DIR/expunge.sqlite                 the ledger (WAL, synchronous=FULL)
///     DIR/lock                           flock'd by the running expunge
///     DIR/data/shard-K.rows              shard K's rows (RowFile)
///     DIR/data/permanent.rows            the permanent rows, with a base (shard −1)
///     DIR/checkpoints/base/              the base on the permanent rows, if any
///     DIR/checkpoints/shard-K/stage-R/   shard K after stage R (model files + optimizer)
///     DIR/models/vN/shard-K/             version N's shard models
///     DIR/audit-cache/vN/NAME/model-K/   models the audit trained on version N's kept rows
struct StoreLayout {
  let root: URL

  var ledger: URL { root.appendingPathComponent("expunge.sqlite") }
  var dataDirectory: URL { root.appendingPathComponent("data") }
  var checkpointsDirectory: URL { root.appendingPathComponent("checkpoints") }
  var modelsDirectory: URL { root.appendingPathComponent("models") }
  var auditCacheDirectory: URL { root.appendingPathComponent("audit-cache") }

  /// Shard `shard`'s row file; shard −1 (`Store.baseShard`) is the permanent rows'.
  func rows(shard: Int) -> URL {
    dataDirectory.appendingPathComponent(shard < 0 ? "permanent.rows" : "shard-\(shard).rows")
  }

  var baseCheckpoint: URL { checkpointsDirectory.appendingPathComponent("base") }

  func checkpoint(shard: Int, stage: Int) -> URL {
    checkpointsDirectory.appendingPathComponent("shard-\(shard)/stage-\(stage)")
  }

  func version(_ n: Int) -> URL { modelsDirectory.appendingPathComponent("v\(n)") }

  func model(version n: Int, shard: Int) -> URL {
    version(n).appendingPathComponent("shard-\(shard)")
  }

  func auditCache(version n: Int, name: String) -> URL {
    auditCacheDirectory.appendingPathComponent("v\(n)/\(name)")
  }
}
