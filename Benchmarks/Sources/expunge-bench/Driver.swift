import Foundation

/// Races Expunge against its peers as BENCH.md asks: same data and settings, every core on
/// both sides, one warm-up each, then A B A B … for `--pairs` pairs; reports the median of
/// each side, the median of the pairwise ratios, accuracies, peak memory and the sgemm
/// ceiling measured in the same run; writes `Benchmarks/results/foundation.json`.
enum Driver {
  struct Work {
    var name: String
    var goal: String
    var expunge: [String]
    var peer: [String]
  }

  static func run(_ arguments: [String]) throws {
    let options = Options(arguments)
    let pairs = options.int("pairs", 3)
    let epochs = options.int("mlp-epochs", 1)
    let iterations = options.int("softmax-iter", 2_000)
    let tolerance = options.double("softmax-tol", 1e-5)
    let root = FileManager.default.currentDirectoryPath
    let peers = root + "/Benchmarks/peers"
    let python = try peersPython(root: root)
    let me = ProcessInfo.processInfo.arguments[0]
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let works = [
      Work(
        name: "MLP 784-256-10, Adam, batch 128, \(epochs) epoch(s)", goal: "≤ 0.5",
        expunge: [me, "worker", "mlp", "--epochs", "\(epochs)"],
        peer: [python, peers + "/mlp_torch.py", "--epochs", "\(epochs)", "--threads", "\(cores)"]),
      // Both to max |∂L/∂θᵢ| ≤ tol on the same mean-loss objective (scikit-learn's test).
      Work(
        name: "softmax regression, L-BFGS to ‖∇L‖∞ ≤ \(tolerance), C = 1", goal: "≤ 0.2",
        expunge: [
          me, "worker", "softmax", "--max-iter", "\(iterations)", "--tol", "\(tolerance)", "--C",
          "1",
        ],
        peer: [
          python, peers + "/softmax_sklearn.py", "--max-iter", "\(iterations)", "--tol",
          "\(tolerance)", "--C", "1",
        ]),
    ]

    log("sgemm ceiling …")
    let ceilingBefore = try child([me, "worker", "sgemm"], cores: cores)
    var results: [[String: Any]] = []
    var table: [[String]] = []
    for work in works {
      log("\(work.name): warm-up")
      _ = try child(work.expunge, cores: cores)
      _ = try child(work.peer, cores: cores)
      var ours: [[String: Any]] = []
      var theirs: [[String: Any]] = []
      for pair in 1...pairs {
        log("\(work.name): pair \(pair)/\(pairs)")
        ours.append(try child(work.expunge, cores: cores))
        theirs.append(try child(work.peer, cores: cores))
      }
      let ourTimes = ours.map { $0["seconds"] as! Double }
      let theirTimes = theirs.map { $0["seconds"] as! Double }
      let ratios = zip(ourTimes, theirTimes).map { $0 / $1 }
      var summary: [String: Any] = [
        "work": work.name, "goal_ratio": work.goal,
        "expunge_median_s": median(ourTimes), "peer_median_s": median(theirTimes),
        "expunge_min_s": ourTimes.min()!, "peer_min_s": theirTimes.min()!,
        "median_pairwise_ratio": median(ratios),
        "expunge_test_accuracy": median(ours.map { $0["test_accuracy"] as! Double }),
        "peer_test_accuracy": median(theirs.map { $0["test_accuracy"] as! Double }),
        "expunge_max_rss_mb": ours.map { $0["max_rss_mb"] as! Double }.max()!,
        "peer_max_rss_mb": theirs.map { $0["max_rss_mb"] as! Double }.max()!,
        "expunge_runs": ours, "peer_runs": theirs,
      ]
      var gflops = "-"
      var ceilingFraction = "-"
      if let g = ours.first?["gflop"] as? Double {
        let rate = g / median(ourTimes)
        let ceiling = ceilingBefore["gflops"] as! Double
        summary["expunge_gflops"] = rate
        summary["fraction_of_sgemm_ceiling"] = rate / ceiling
        gflops = String(format: "%.0f", rate)
        ceilingFraction = String(format: "%.0f %%", 100 * rate / ceiling)
      }
      results.append(summary)
      table.append([
        work.name, String(format: "%.3f", median(ourTimes)),
        String(format: "%.3f", median(theirTimes)),
        String(format: "%.3f (%@)", median(ratios), work.goal),
        String(format: "%.4f", summary["expunge_test_accuracy"] as! Double),
        String(format: "%.4f", summary["peer_test_accuracy"] as! Double), gflops, ceilingFraction,
        String(
          format: "%.0f / %.0f", summary["expunge_max_rss_mb"] as! Double,
          summary["peer_max_rss_mb"] as! Double),
      ])
    }
    let ceilingAfter = try child([me, "worker", "sgemm"], cores: cores)

    let header = [
      "work", "Expunge s", "peer s", "ratio (goal)", "Expunge acc", "peer acc", "GFLOP/s",
      "of sgemm",
      "max RSS MB (E / peer)",
    ]
    print(render([header] + table))
    print(
      String(
        format:
          "sgemm 2048³ ceiling: %.0f GFLOP/s before, %.0f after; peers: PyTorch vs MLP, scikit-learn vs softmax",
        ceilingBefore["gflops"] as! Double, ceilingAfter["gflops"] as! Double))

    let document: [String: Any] = [
      "date": ISO8601DateFormatter().string(from: Date()),
      "commit": shell(["git", "rev-parse", "HEAD"]),
      "machine": [
        "cpu": cpuModel(), "cores": cores, "load_average_at_start": loadAverage(),
      ],
      "method":
        "one warm-up each, then \(pairs) alternating pairs; medians and the median of pairwise ratios",
      "sgemm_ceiling_gflops": [ceilingBefore["gflops"], ceilingAfter["gflops"]],
      "results": results,
    ]
    let out = root + "/Benchmarks/results/foundation.json"
    let data = try JSONSerialization.data(
      withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: out), options: .atomic)
    print("wrote \(out)")
  }

  /// The peers' Python (`Benchmarks/peers/.venv`, made by `peers/setup.sh`).
  static func peersPython(root: String) throws -> String {
    let python = root + "/Benchmarks/peers/.venv/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else {
      throw BenchError("no peers' environment at \(python): run Benchmarks/peers/setup.sh")
    }
    return python
  }

  /// Runs one worker with every core for BLAS/OpenMP on both sides; returns its JSON line.
  static func child(_ command: [String], cores: Int) throws -> [String: Any] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    var environment = ProcessInfo.processInfo.environment
    for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "EXPUNGE_THREADS"] {
      environment[key] = String(cores)
    }
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
      let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last(where: {
        $0.hasPrefix("{")
      }),
      let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    else {
      throw BenchError(
        "\(command.joined(separator: " ")) failed (status \(process.terminationStatus))")
    }
    return json
  }

  static func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  static func render(_ rows: [[String]]) -> String {
    let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max()! }
    return rows.enumerated().map { i, row in
      let line = row.enumerated().map {
        $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0)
      }
      .joined(separator: " | ")
      return i == 0
        ? line + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-")
        : line
    }.joined(separator: "\n")
  }

  static func log(_ text: String) { FileHandle.standardError.write(Data("bench: \(text)\n".utf8)) }

  static func cpuModel() -> String {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    return info.split(separator: "\n").first { $0.hasPrefix("model name") }
      .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) }
      ?? "unknown"
  }

  static func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ")
      .prefix(3)
      .joined(separator: " ")
  }

  static func shell(_ command: [String]) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try? process.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
