import Foundation

/// `expunge-bench certified`: certified removal (issue #5) on Fashion-MNIST — the binary
/// task 0 vs 6 and one-vs-rest over all ten classes — Expunge's `CertifiedRemoval`
/// (downdated Cholesky factor) against `peers/certified_torch.py` (Guo et al.'s recipe: the
/// Hessian rebuilt for every removal), alternately, `--pairs` pairs each, on the same rows
/// (the peer re-derives Expunge's seeded draw). Reports training time and the gradient
/// residual each side reached, per-removal latency, retraining time, accuracies, and how
/// many removals each side's bound fits into the budget for ε = 1, δ = 1e-4. Writes
/// `Benchmarks/results/certified.json`.
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
    var training = [
      [
        "task", "train s E / peer", "ratio", "iterations E / peer", "max ‖∇L_b‖ E / peer",
        "test acc E / peer",
      ]
    ]
    var removal = [
      [
        "task", "removal ms E / peer", "ratio", "mean ms E", "refreshes E", "retrains E",
        "removals in budget E / peer", "retrain s E / peer", "acc E after/retrained", "acc peer",
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
      func ratio(_ key: String) -> Double {
        Driver.median(
          zip(ours, theirs).map {
            (($0[key] as? NSNumber)?.doubleValue ?? .nan)
              / (($1[key] as? NSNumber)?.doubleValue ?? .nan)
          })
      }
      func largest(_ runs: [[String: Any]], _ key: String) -> Double {
        runs.flatMap { ($0[key] as? [NSNumber] ?? []).map(\.doubleValue) }.max() ?? .nan
      }
      func iterations(_ runs: [[String: Any]]) -> String {
        guard let run = runs.first else { return "" }
        if let list = run["train_iterations"] as? [NSNumber] {
          return list.map(\.stringValue).joined(separator: "+")
        }
        return (run["train_iterations"] as? NSNumber)?.stringValue ?? ""
      }
      let (ourTrain, peerTrain) = (med(ours, "train_seconds"), med(theirs, "train_seconds"))
      let (ourMs, peerMs) = (med(ours, "removal_ms_median"), med(theirs, "removal_ms_median"))
      let (retrain, peerRetrain) = (med(ours, "retrain_seconds"), med(theirs, "retrain_seconds"))
      results.append([
        "task": classes, "removals": removals,
        "expunge_train_seconds": ourTrain, "peer_train_seconds": peerTrain,
        "train_median_pairwise_ratio": ratio("train_seconds"),
        "expunge_train_residual_max": largest(ours, "train_residuals"),
        "peer_train_residual_max": largest(theirs, "train_residuals"),
        "expunge_removal_ms_median": ourMs, "peer_removal_ms_median": peerMs,
        "median_pairwise_ratio": ratio("removal_ms_median"),
        "expunge_removal_ms_mean": med(ours, "removal_ms_mean"),
        "expunge_retrain_seconds": retrain, "peer_retrain_seconds": peerRetrain,
        "retrain_over_removal": retrain * 1e3 / ourMs,
        "expunge_runs": ours, "peer_runs": theirs,
      ])
      training.append([
        classes, String(format: "%.3f / %.3f", ourTrain, peerTrain),
        String(format: "%.3f", ratio("train_seconds")),
        "\(iterations(ours)) / \(iterations(theirs))",
        String(
          format: "%.1e / %.1e", largest(ours, "train_residuals"),
          largest(theirs, "train_residuals")),
        String(
          format: "%.4f / %.4f", med(ours, "test_accuracy_before"),
          med(theirs, "test_accuracy_before")),
      ])
      removal.append([
        classes, String(format: "%.2f / %.1f", ourMs, peerMs),
        String(format: "%.4f", ratio("removal_ms_median")),
        String(format: "%.1f", med(ours, "removal_ms_mean")),
        "\(Int(med(ours, "refreshes")))", "\(Int(med(ours, "retrains")))",
        "\(Int(med(ours, "removals_within_budget"))) / \(Int(med(theirs, "removals_within_split_budget")))",
        String(format: "%.2f / %.2f", retrain, peerRetrain),
        String(
          format: "%.4f / %.4f", med(ours, "test_accuracy_after"),
          med(ours, "test_accuracy_retrained")),
        String(format: "%.4f", med(theirs, "test_accuracy_after")),
      ])
    }
    print(Driver.render(training))
    print(Driver.render(removal))
    let document: [String: Any] = [
      "date": ISO8601DateFormatter().string(from: Date()),
      "commit": Driver.shell(["git", "rev-parse", "HEAD"]),
      "machine": ["cpu": Driver.cpuModel(), "cores": cores], "pairs": pairs,
      "method":
        "per task: Expunge worker then the PyTorch peer, alternately; same rows, same b, Λ = λ·n fixed, λ = 1e-3, σ = 1, ε = 1, δ = 1e-4; training to ‖∇L_b‖₂ ≤ 1e-6 (Expunge's default; for one-vs-rest, of all models' gradients together) and ≤ 1e-4 for the peer (torch's L-BFGS stops above 1e-6), each side's largest measured residual reported; budgets split over the m binary models on both sides (peer: its paper's bound, γ = 1/4); Expunge's refresh rule: break-even",
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
