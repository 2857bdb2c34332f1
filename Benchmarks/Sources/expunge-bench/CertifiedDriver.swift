import Foundation

/// `expunge-bench certified`: certified removal (issue #5) on Fashion-MNIST — the binary
/// task 0 vs 6 and one-vs-rest over all ten classes — Expunge's `CertifiedRemoval`
/// (downdated Cholesky factor) against `peers/certified_torch.py` (Guo et al.'s recipe: the
/// Hessian rebuilt for every removal), alternately, `--pairs` pairs each, on the same rows
/// (the peer re-derives Expunge's seeded draw). Reports per-removal latency, retraining
/// time to the same tolerance, accuracies, and how many removals each side's bound fits into
/// the budget for ε = 1, δ = 1e-4. Writes `Benchmarks/results/certified.json`.
enum CertifiedDriver {
  static func run(_ arguments: [String]) throws {
    let options = Options(arguments)
    let pairs = max(1, options.int("pairs", 3))
    let root = FileManager.default.currentDirectoryPath
    let python = try Driver.peersPython(root: root)
    let me = ProcessInfo.processInfo.arguments[0]
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let tasks = [
      ("0,6", options.int("binary-removals", 30)), ("all", options.int("ovr-removals", 10)),
    ]
    var results: [[String: Any]] = []
    var table = [
      [
        "task", "removal ms E / peer", "ratio", "retrain s E", "retrain / removal E",
        "acc E before/after/retrained", "acc peer", "removals in budget E / peer",
      ]
    ]
    for (classes, removals) in tasks {
      let common = ["--classes", classes, "--removals", "\(removals)"]
      var ours: [[String: Any]] = []
      var theirs: [[String: Any]] = []
      for pair in 1...pairs {
        Driver.log("certified \(classes): pair \(pair)/\(pairs)")
        ours.append(try Driver.child([me, "worker", "certified"] + common, cores: cores))
        theirs.append(
          try Driver.child(
            [python, root + "/Benchmarks/peers/certified_torch.py"] + common, cores: cores))
      }
      func med(_ runs: [[String: Any]], _ key: String) -> Double {
        Driver.median(runs.map { ($0[key] as? NSNumber)?.doubleValue ?? .nan })
      }
      let ratios = zip(ours, theirs).map {
        ($0["removal_ms_median"] as! Double) / ($1["removal_ms_median"] as! Double)
      }
      let (ourMs, peerMs) = (med(ours, "removal_ms_median"), med(theirs, "removal_ms_median"))
      let retrain = med(ours, "retrain_seconds")
      results.append([
        "task": classes, "removals": removals, "expunge_removal_ms_median": ourMs,
        "peer_removal_ms_median": peerMs, "median_pairwise_ratio": Driver.median(ratios),
        "expunge_retrain_seconds": retrain, "peer_retrain_seconds": med(theirs, "retrain_seconds"),
        "retrain_over_removal": retrain * 1e3 / ourMs,
        "expunge_runs": ours, "peer_runs": theirs,
      ])
      table.append([
        classes, String(format: "%.2f / %.1f", ourMs, peerMs),
        String(format: "%.4f", Driver.median(ratios)), String(format: "%.2f", retrain),
        String(format: "%.0f×", retrain * 1e3 / ourMs),
        String(
          format: "%.4f / %.4f / %.4f", med(ours, "test_accuracy_before"),
          med(ours, "test_accuracy_after"), med(ours, "test_accuracy_retrained")),
        String(format: "%.4f", med(theirs, "test_accuracy_after")),
        "\(Int(med(ours, "removals_within_budget"))) / \(Int(med(theirs, "removals_within_split_budget")))",
      ])
    }
    print(Driver.render(table))
    let document: [String: Any] = [
      "date": ISO8601DateFormatter().string(from: Date()),
      "commit": Driver.shell(["git", "rev-parse", "HEAD"]),
      "machine": ["cpu": Driver.cpuModel(), "cores": cores], "pairs": pairs,
      "method":
        "per task: Expunge worker then the PyTorch peer, alternately; same rows, same b, Λ = λ·n fixed, λ = 1e-3, σ = 1, ε = 1, δ = 1e-4, tolerance ‖∇L_b‖₂ ≤ 1e-4; budgets split over the m binary models on both sides (peer: its paper's bound, γ = 1/4)",
      "results": results,
    ]
    let out = root + "/Benchmarks/results/certified.json"
    try JSONSerialization.data(
      withJSONObject: SISADriver.finite(document), options: [.prettyPrinted, .sortedKeys]
    )
    .write(to: URL(fileURLWithPath: out), options: .atomic)
    print("wrote \(out)")
  }
}
