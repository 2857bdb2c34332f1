import Foundation

/// `expunge-bench sisa`: SISA exact unlearning (Bourtoule et al. 2021) of the MLP 784-256-10
/// on Fashion-MNIST over a grid of shards S and slices R, Expunge against the PyTorch
/// re-statement `peers/sisa_torch.py`, run alternately on the same machine (no warm-up, for
/// time). For d ∈ `--deletions` (default 1, 10, 100) random rows, each side forgets from a
/// copy of its freshly trained ensemble; "retrain" is each side's plain MLP (S = 1, R = 1)
/// trained from scratch on the rows left after the largest deletion set.
///
/// Default: the in-process library (`SISAEnsemble`), written to `Benchmarks/results/sisa.json`.
/// `--store`: Expunge's durable store instead (`Store.create` / `Store.forget`, retraining =
/// the S = 1, R = 1 row), written to `Benchmarks/results/sisa-store.json`. `--out` overrides.
enum SISADriver {
  struct Setup {
    var grid: [(shards: Int, slices: Int)]
    var epochs: Int
    var pairs: Int
    var deletions: String
    var seed: Int
    var root: String
    var python: String
    var peer: String
    var me: String
    var cores: Int
    var out: String?
    var loadAverage: String
  }

  static func run(_ arguments: [String]) throws {
    let options = Options(arguments)
    let gridName = options.string("grid", "full")
    let grid: [(shards: Int, slices: Int)]
    switch gridName {
    case "full": grid = [1, 5, 10, 20].flatMap { s in [1, 4].map { (s, $0) } }
    case "small": grid = [(1, 1), (5, 1)]
    default: throw BenchError("unknown grid '\(gridName)': use small or full")
    }
    let root = FileManager.default.currentDirectoryPath
    let python = try Driver.peersPython(root: root)
    let setup = Setup(
      grid: grid, epochs: options.int("epochs", 10), pairs: max(1, options.int("pairs", 1)),
      deletions: options.string("deletions", "1,10,100"), seed: options.int("seed", 0),
      root: root, python: python, peer: root + "/Benchmarks/peers/sisa_torch.py",
      me: ProcessInfo.processInfo.arguments[0], cores: ProcessInfo.processInfo.activeProcessorCount,
      out: options.flag("out") ? options.string("out", "") : nil, loadAverage: Driver.loadAverage())
    try options.flag("store") ? runStore(setup) : runLibrary(setup)
  }

  /// A JSON number as a Double, whichever way it was parsed.
  static func number(_ x: Any?) -> Double? {
    if let d = x as? Double { return d }
    if let i = x as? Int { return Double(i) }
    return (x as? NSNumber)?.doubleValue
  }

  /// A run's `retrained` list: [shard, first stage retrained] pairs.
  static func stages(_ x: Any?) -> [[Int]]? {
    (x as? [Any])?.map { (($0 as? [Any]) ?? []).compactMap { number($0).map { Int($0) } } }
  }

  /// `values` of `key` in each run, their median; NaN when none.
  static func median(_ runs: [[String: Any]], _ key: String) -> Double {
    let values = runs.compactMap { number($0[key]) }
    return values.isEmpty ? .nan : Driver.median(values)
  }

  /// `value` with every NaN or infinity replaced by null (JSONSerialization rejects them).
  static func finite(_ value: Any) -> Any {
    switch value {
    case let d as Double: return d.isFinite ? d : NSNull()
    case let dict as [String: Any]: return dict.mapValues(finite)
    case let array as [Any]: return array.map(finite)
    default: return value
    }
  }

  /// The entry for `count` in a run's `deletions`.
  static func deletion(_ run: [String: Any], _ count: Int) -> [String: Any] {
    (run["deletions"] as? [[String: Any]] ?? []).first { number($0["count"]) == Double(count) }
      ?? [:]
  }

  static func format(_ x: Double, _ digits: Int = 2) -> String {
    x.isNaN ? "-" : String(format: "%.\(digits)f", x)
  }

  /// Expunge's `SISAEnsemble` in this process against the PyTorch peer, A B A B per (S, R).
  static func runLibrary(_ setup: Setup) throws {
    let counts = setup.deletions.split(separator: ",").compactMap { Int($0) }
    guard let smallest = counts.min(), let largest = counts.max() else {
      throw BenchError("--deletions needs at least one count")
    }
    var results: [[String: Any]] = []
    var table: [[String]] = [
      ["S", "R", "train s E/P"] + counts.map { "forget \($0) s E/P" }
        + [
          "forget E÷P " + counts.map(String.init).joined(separator: "/"), "retrain s E/P",
          "retrain ÷ forget \(smallest) E/P", "test acc E/P", "acc after \(largest) E/P",
        ]
    ]
    for (s, r) in setup.grid {
      let common = [
        "--shards", "\(s)", "--slices", "\(r)", "--epochs", "\(setup.epochs)", "--deletions",
        setup.deletions, "--seed", "\(setup.seed)",
      ]
      var ours: [[String: Any]] = []
      var theirs: [[String: Any]] = []
      for pair in 1...setup.pairs {
        Driver.log("SISA S=\(s) R=\(r): pair \(pair)/\(setup.pairs)")
        ours.append(try Driver.child([setup.me, "worker", "sisa"] + common, cores: setup.cores))
        theirs.append(
          try Driver.child(
            [setup.python, setup.peer, "--threads", "\(setup.cores)"] + common, cores: setup.cores))
      }
      var perCount: [[String: Any]] = []
      for d in counts {
        let e = ours.map { deletion($0, d) }
        let p = theirs.map { deletion($0, d) }
        let ratios = zip(e, p).compactMap { a, b -> Double? in
          guard let x = number(a["forget_s"]), let y = number(b["forget_s"]) else {
            return nil
          }
          return x / y
        }
        perCount.append([
          "count": d, "expunge_forget_s": median(e, "forget_s"),
          "peer_forget_s": median(p, "forget_s"),
          "median_pairwise_ratio": ratios.isEmpty ? Double.nan : Driver.median(ratios),
          "expunge_test_accuracy_after": median(e, "test_accuracy_after"),
          "peer_test_accuracy_after": median(p, "test_accuracy_after"),
          "shards_retrained": e.first?["shards_retrained"] ?? NSNull(),
          "stages_retrained": e.first?["stages_retrained"] ?? NSNull(),
          "same_stages_retrained": zip(e, p).allSatisfy {
            stages($0["retrained"]) != nil && stages($0["retrained"]) == stages($1["retrained"])
          },
        ])
      }
      let retrainOurs = median(ours, "retrain_s")
      let retrainTheirs = median(theirs, "retrain_s")
      let first = perCount.first { $0["count"] as? Int == smallest }!
      let last = perCount.first { $0["count"] as? Int == largest }!
      let summary: [String: Any] = [
        "shards": s, "slices": r,
        "expunge_train_s": median(ours, "train_s"), "peer_train_s": median(theirs, "train_s"),
        "expunge_test_accuracy": median(ours, "test_accuracy"),
        "peer_test_accuracy": median(theirs, "test_accuracy"),
        "expunge_retrain_s": retrainOurs, "peer_retrain_s": retrainTheirs,
        "expunge_speedup_vs_retrain":
          retrainOurs / (first["expunge_forget_s"] as! Double),
        "peer_speedup_vs_retrain": retrainTheirs / (first["peer_forget_s"] as! Double),
        "deletions": perCount,
        "expunge_max_rss_mb": ours.compactMap { $0["max_rss_mb"] as? Double }.max() ?? .nan,
        "peer_max_rss_mb": theirs.compactMap { $0["max_rss_mb"] as? Double }.max() ?? .nan,
        "expunge_runs": ours, "peer_runs": theirs,
      ]
      results.append(summary)
      func pair(_ a: Any?, _ b: Any?, _ digits: Int = 2) -> String {
        "\(format(a as? Double ?? .nan, digits)) / \(format(b as? Double ?? .nan, digits))"
      }
      table.append(
        ["\(s)", "\(r)", pair(summary["expunge_train_s"], summary["peer_train_s"])]
          + perCount.map { pair($0["expunge_forget_s"], $0["peer_forget_s"]) }
          + [
            perCount.map { format($0["median_pairwise_ratio"] as? Double ?? .nan) }
              .joined(separator: " / "),
            pair(retrainOurs, retrainTheirs),
            "\(format(summary["expunge_speedup_vs_retrain"] as! Double, 1))× / "
              + "\(format(summary["peer_speedup_vs_retrain"] as! Double, 1))×",
            pair(summary["expunge_test_accuracy"], summary["peer_test_accuracy"], 4),
            pair(last["expunge_test_accuracy_after"], last["peer_test_accuracy_after"], 4),
          ])
    }
    print(Driver.render(table))
    try write(
      setup, mode: "library", default: "sisa.json", results: results,
      method:
        "per (S, R): Expunge's SISAEnsemble in process (worker sisa) then the PyTorch peer (in-memory state_dict checkpoints), \(setup.pairs) alternating pair(s), no warm-up; medians, forget ratio = median of pairwise Expunge ÷ PyTorch; the same rows on both sides (Expunge's placement and SeededGenerator(\(setup.seed)).choice re-stated in the peer); each forget starts from a copy of the freshly trained ensemble; retrain = plain MLP (S = 1, R = 1) from scratch on the rows left after the largest deletion set, once per run"
    )
  }

  /// Expunge's durable store against the PyTorch peer (the earlier protocol).
  static func runStore(_ setup: Setup) throws {
    var results: [[String: Any]] = []
    for (s, r) in setup.grid {
      let common = [
        "--shards", "\(s)", "--slices", "\(r)", "--epochs", "\(setup.epochs)", "--deletions",
        setup.deletions, "--seed", "\(setup.seed)",
      ]
      for pair in 1...setup.pairs {
        Driver.log("SISA store S=\(s) R=\(r): pair \(pair)/\(setup.pairs)")
        let ours = try Driver.child(
          [setup.me, "worker", "sisa", "--store"] + common, cores: setup.cores)
        let theirs = try Driver.child(
          [setup.python, setup.peer, "--threads", "\(setup.cores)", "--retrain", "shard"] + common,
          cores: setup.cores)
        results.append(["shards": s, "slices": r, "expunge": ours, "pytorch": theirs])
      }
    }
    // Full retraining = plain training (S = 1, R = 1) of each side.
    func median(_ side: String, _ key: String, s: Int, r: Int) -> Double {
      let values = results.filter { $0["shards"] as? Int == s && $0["slices"] as? Int == r }
        .compactMap { ($0[side] as? [String: Any])?[key] as? Double }
      return values.isEmpty ? .nan : Driver.median(values)
    }
    let retrainOurs = median("expunge", "train_s", s: 1, r: 1)
    var table: [[String]] = [
      [
        "S", "R", "train s E/P", "forget 1 s E/P", "forget 10 s E", "forget 100 s E",
        "speed-up vs retrain (1 row)", "shard retrain E/P", "test acc E/P", "acc after 100",
      ]
    ]
    for row in results {
      let e = row["expunge"] as! [String: Any]
      let p = row["pytorch"] as! [String: Any]
      let eDel = e["deletions"] as! [[String: Any]]
      let pDel = p["deletions"] as! [[String: Any]]
      func f(_ x: Any?) -> String { String(format: "%.2f", (x as? Double) ?? .nan) }
      let forgetOne = eDel.first?["forget_s"] as? Double ?? .nan
      table.append([
        "\(row["shards"]!)", "\(row["slices"]!)", "\(f(e["train_s"])) / \(f(p["train_s"]))",
        "\(f(forgetOne)) / \(f(pDel.first?["forget_s"]))", f(eDel.dropFirst().first?["forget_s"]),
        f(eDel.last?["forget_s"]), String(format: "%.1f×", retrainOurs / forgetOne),
        "\(f(e["shard_retrain_s"])) / \(f(p["shard_retrain_s"]))",
        String(
          format: "%.4f / %.4f", e["test_accuracy"] as? Double ?? .nan,
          p["test_accuracy"] as? Double ?? .nan),
        String(format: "%.4f", eDel.last?["test_accuracy_after"] as? Double ?? .nan),
      ])
    }
    print(Driver.render(table))
    try write(
      setup, mode: "store", default: "sisa-store.json", results: results,
      method:
        "per (S, R): Expunge worker (store on disk) then the PyTorch peer (in-memory checkpoints), \(setup.pairs) pair(s); forgets start from a copy of the freshly trained model; retraining = S = 1, R = 1"
    )
  }

  static func write(
    _ setup: Setup, mode: String, default name: String, results: [[String: Any]], method: String
  ) throws {
    let document: [String: Any] = [
      "date": ISO8601DateFormatter().string(from: Date()),
      "commit": Driver.shell(["git", "rev-parse", "HEAD"]),
      "machine": [
        "cpu": Driver.cpuModel(), "cores": setup.cores,
        "load_average_at_start": setup.loadAverage,
      ],
      "mode": mode, "method": method, "epochs": setup.epochs, "pairs": setup.pairs,
      "deletions": setup.deletions, "seed": setup.seed,
      "grid": setup.grid.map { [$0.shards, $0.slices] }, "results": results,
    ]
    let out = setup.out ?? setup.root + "/Benchmarks/results/" + name
    try JSONSerialization.data(
      withJSONObject: finite(document), options: [.prettyPrinted, .sortedKeys]
    )
    .write(to: URL(fileURLWithPath: out), options: .atomic)
    print("wrote \(out)")
  }
}
