import Foundation

/// `expunge-bench sisa`: SISA unlearning time against full retraining (S = 1, R = 1 is plain
/// training), for 1, 10 and 100 deleted rows, over a grid of shards and slices, with the
/// PyTorch re-statement (`peers/sisa_torch.py`) run alternately on the same machine. Writes
/// `Benchmarks/results/sisa.json`.
enum SISADriver {
  static func run(_ arguments: [String]) throws {
    let options = Options(arguments)
    let full = options.string("grid", "full") == "full"
    let epochs = options.int("epochs", 10)
    let pairs = options.int("pairs", 1)
    let grid: [(Int, Int)] =
      full ? [1, 5, 10, 20].flatMap { s in [1, 4].map { (s, $0) } } : [(1, 1), (5, 1), (5, 4)]
    let root = FileManager.default.currentDirectoryPath
    let python = root + "/Benchmarks/peers/.venv/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else {
      throw BenchError("no peers' environment at \(python): run Benchmarks/peers/setup.sh")
    }
    let me = ProcessInfo.processInfo.arguments[0]
    let cores = ProcessInfo.processInfo.activeProcessorCount
    var results: [[String: Any]] = []
    for (s, r) in grid {
      let common = ["--shards", "\(s)", "--slices", "\(r)", "--epochs", "\(epochs)"]
      for pair in 1...pairs {
        Driver.log("SISA S=\(s) R=\(r): pair \(pair)/\(pairs)")
        let ours = try Driver.child([me, "worker", "sisa"] + common, cores: cores)
        let theirs = try Driver.child(
          [python, root + "/Benchmarks/peers/sisa_torch.py", "--threads", "\(cores)"] + common,
          cores: cores)
        results.append(["shards": s, "slices": r, "expunge": ours, "pytorch": theirs])
      }
    }
    // Full retraining = plain training (S = 1, R = 1) of each side.
    func median(_ side: String, _ key: String, s: Int, r: Int) -> Double {
      Driver.median(
        results.filter { $0["shards"] as? Int == s && $0["slices"] as? Int == r }.compactMap {
          ($0[side] as? [String: Any])?[key] as? Double
        })
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
    let document: [String: Any] = [
      "date": ISO8601DateFormatter().string(from: Date()),
      "commit": Driver.shell(["git", "rev-parse", "HEAD"]),
      "machine": [
        "cpu": Driver.cpuModel(), "cores": cores, "load_average_at_start": Driver.loadAverage(),
      ],
      "method":
        "per (S, R): Expunge worker (store on disk) then the PyTorch peer (in-memory checkpoints), \(pairs) pair(s); forgets start from a copy of the freshly trained model; retraining = S = 1, R = 1",
      "epochs": epochs, "results": results,
    ]
    let out = root + "/Benchmarks/results/sisa.json"
    try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
      .write(to: URL(fileURLWithPath: out), options: .atomic)
    print("wrote \(out)")
  }
}
