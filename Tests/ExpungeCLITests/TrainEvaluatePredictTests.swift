import ExpungeCore
import Foundation
import Testing

/// End-to-end runs of the commands on small synthetic data and small files.
@Suite("train → evaluate → predict")
struct TrainEvaluatePredictTests {
  static let data = "synthetic:n=400,d=6,classes=3,seed=7"

  @Test(arguments: [
    ["--model", "mlp", "--hidden", "16", "--epochs", "5", "--batch-size", "32", "--lr", "0.01"],
    ["--model", "softmax"],
    ["--model", "ridge"],
    [
      "--model", "mlp", "--hidden", "8,8", "--activation", "tanh", "--optimizer", "sgd", "--epochs",
      "5",
    ],
  ])
  func trainEvaluatePredict(modelOptions: [String]) throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("m").path
    let train = expunge(["train", "--data", Self.data, "--out", model] + modelOptions)
    #expect(train.status == 0, "\(train.err)")
    #expect(train.out.contains("Saved to \(model)"))
    #expect(FileManager.default.fileExists(atPath: model + "/config.json"))
    #expect(FileManager.default.fileExists(atPath: model + "/weights.safetensors"))

    let evaluate = expunge("evaluate", "--model", model, "--data", Self.data, "--json")
    #expect(evaluate.status == 0, "\(evaluate.err)")
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(evaluate.out.utf8)) as? [String: Any])
    let accuracy = try #require(report["accuracy"] as? Double)
    #expect(accuracy > 0.8, "separable clusters should be learned: \(accuracy)")
    let confusion = try #require(report["confusionMatrix"] as? [[Int]])
    #expect(confusion.count == 3 && confusion.flatMap { $0 }.reduce(0, +) == 400)

    let predict = expunge("predict", "--model", model, "--data", Self.data, "--proba")
    #expect(predict.status == 0, "\(predict.err)")
    let lines = predict.out.split(separator: "\n")
    #expect(lines.first == "id,predicted,p0,p1,p2")
    #expect(lines.count == 401)
    // Predictions agree with evaluate's accuracy: recount them from the CSV.
    let predicted = lines.dropFirst().map { Int($0.split(separator: ",")[1])! }
    let diagonal = (0..<3).map { confusion[$0][$0] }.reduce(0, +)
    let perClassPredicted = (0..<3).map { c in predicted.filter { $0 == c }.count }
    let columnSums = (0..<3).map { c in confusion.map { $0[c] }.reduce(0, +) }
    #expect(perClassPredicted == columnSums)
    #expect(Double(diagonal) / 400 == accuracy)
  }

  @Test func sameSeedGivesTheSameBytes() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func weights(_ name: String, seed: String) throws -> Data {
      let out = dir.appendingPathComponent(name).path
      let r = expunge(
        "train", "--data", Self.data, "--model", "mlp", "--hidden", "12", "--epochs", "3",
        "--seed", seed, "--out", out, "--quiet")
      #expect(r.status == 0, "\(r.err)")
      return try Data(contentsOf: URL(fileURLWithPath: out + "/weights.safetensors"))
    }
    let a = try weights("a", seed: "5")
    let b = try weights("b", seed: "5")
    let c = try weights("c", seed: "6")
    #expect(a == b)
    #expect(a != c)
  }

  /// A model records the numeric environment that trained it; `evaluate` and `predict` add a
  /// note on stderr when this machine's differs, and say nothing when it is the same.
  @Test func aModelFromAnotherNumericEnvironmentGetsANote() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("m").path
    let data = "synthetic:n=80,d=3,classes=2,seed=3"
    let train = expunge("train", "--data", data, "--model", "logistic", "--out", model, "--quiet")
    #expect(train.status == 0, "\(train.err)")
    #expect(expunge("evaluate", "--model", model, "--data", data).err == "")
    #expect(expunge("predict", "--model", model, "--data", data).err == "")

    let config = URL(fileURLWithPath: model + "/config.json")
    let text = try String(contentsOf: config, encoding: .utf8)
    let here = NumericEnvironment.current
    #expect(text.contains("\"mathLibrary\" : \"\(here.mathLibrary)\""))
    try text.replacingOccurrences(
      of: "\"mathLibrary\" : \"\(here.mathLibrary)\"", with: "\"mathLibrary\" : \"glibc 1.0\""
    ).write(to: config, atomically: true, encoding: .utf8)
    let note =
      "Note: this machine's numeric environment differs from the one that trained \(model): C math library \(here.mathLibrary), not glibc 1.0. Scores computed here may differ from scores computed there in the last bits.\n"
    let evaluate = expunge("evaluate", "--model", model, "--data", data)
    #expect(evaluate.status == 0 && evaluate.err == note, "\(evaluate.err)")
    let predict = expunge("predict", "--model", model, "--data", data)
    #expect(predict.status == 0 && predict.err == note, "\(predict.err)")
  }

  @Test func trainJSONReportsTheRun() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = expunge(
      "train", "--data", Self.data, "--model", "softmax", "--l2", "auto", "--out",
      dir.appendingPathComponent("m").path, "--json", "--quiet")
    #expect(r.status == 0, "\(r.err)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    let search = try #require(json["l2Search"] as? [[String: Any]])
    #expect(search.count == 5)
    let data = try #require(json["data"] as? [String: Any])
    #expect(data["validationRows"] as? Int == 40)
    #expect(data["rows"] as? Int == 360)
    // The kept model is the search's best (first of equals) and reports its own accuracy.
    let accuracies = search.compactMap { $0["validationAccuracy"] as? Double }
    let best = search[accuracies.firstIndex(of: accuracies.max()!)!]
    let configuration = try #require(json["configuration"] as? [String: Any])
    let hyperparameters = try #require(configuration["hyperparameters"] as? [String: Any])
    #expect(hyperparameters["l2"] as? Double == best["l2"] as? Double)
    #expect(json["validationAccuracy"] as? Double == best["validationAccuracy"] as? Double)
    let saved = try String(
      contentsOf: dir.appendingPathComponent("m/config.json"), encoding: .utf8)
    #expect(saved.contains("\"l2\" : \(best["l2"] as! Double)"))
  }

  @Test func toleranceNormIsRecordedAndMaxStopsNoLaterThanL2() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    func iterations(_ norm: String) throws -> Int {
      let r = expunge(
        "train", "--data", Self.data, "--model", "softmax", "--solver", "lbfgs", "--tolerance",
        "1e-4", "--tolerance-norm", norm, "--out", dir.appendingPathComponent(norm).path,
        "--json", "--quiet")
      #expect(r.status == 0, "\(r.err)")
      let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
      let solver = try #require(json?["solver"] as? [String: Any])
      #expect(solver["converged"] as? Bool == true)
      return try #require(solver["iterations"] as? Int)
    }
    // ‖g‖∞ ≤ ‖g‖₂, so the max-norm test is met no later on the same path.
    #expect(try iterations("max") <= iterations("l2"))
    let saved = try String(
      contentsOf: dir.appendingPathComponent("max/config.json"), encoding: .utf8)
    #expect(saved.contains("\"toleranceNorm\" : \"max\""))
  }

  /// A tolerance below what even double precision resolves: the solver stops at its floor
  /// and says so — one line on stderr (even with --quiet), the summary's solver line, and
  /// `--json`'s fields. A reachable tolerance prints nothing on stderr.
  @Test func solverFloorIsReported() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let options = ["--data", Self.data, "--model", "softmax", "--solver", "newton", "--quiet"]
    let floor = expunge(
      ["train", "--tolerance", "1e-30", "--out", dir.appendingPathComponent("a").path] + options)
    #expect(floor.status == 0, "\(floor.err)")
    #expect(floor.out.isEmpty)
    let lines = floor.err.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 2 && lines[1].isEmpty, "one line: \(floor.err)")
    let warning = try Regex(
      "expunge: newton stopped at ‖∇L‖ = [1-9]\\.[0-9]e-[0-9]+, the floor of double-precision products on this data; --tolerance 1e-30 is below it"
    )
    #expect(try warning.wholeMatch(in: String(lines[0])) != nil, "\(lines[0])")
    let summarized = expunge(
      ["train", "--tolerance", "1e-30", "--out", dir.appendingPathComponent("s").path]
        + options.dropLast())
    #expect(
      summarized.out.contains(
        ", the floor of double-precision products (not converged: --tolerance 1e-30 is below it)"),
      "\(summarized.out)")

    let json = expunge(
      ["train", "--tolerance", "1e-30", "--json", "--out", dir.appendingPathComponent("b").path]
        + options)
    #expect(json.status == 0 && json.err.hasPrefix("expunge: newton stopped at"), "\(json.err)")
    let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
    let solver = try #require(object?["solver"] as? [String: Any])
    #expect(solver["converged"] as? Bool == false)
    #expect(solver["stop"] as? String == "stagnated")
    #expect(solver["precision"] as? String == "double")
    #expect(solver["tolerance"] as? Double == 1e-30)
    let reached = try #require(solver["floor"] as? Double)
    #expect(reached == solver["gradientNorm"] as? Double && reached < 1e-12)

    let reachable = expunge(
      ["train", "--json", "--out", dir.appendingPathComponent("c").path] + options)
    #expect(reachable.status == 0 && reachable.err.isEmpty, "\(reachable.err)")
    let converged =
      try JSONSerialization.jsonObject(with: Data(reachable.out.utf8))
      as? [String: Any]
    let summary = try #require(converged?["solver"] as? [String: Any])
    #expect(summary["stop"] as? String == "converged" && summary["converged"] as? Bool == true)
    #expect(summary["precision"] as? String == "single" && summary["floor"] == nil)
  }

  @Test func classSelectionTravelsWithTheModel() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("m").path
    let train = expunge(
      "train", "--data", Self.data, "--classes", "2,0", "--model", "logistic", "--out", model,
      "--quiet")
    #expect(train.status == 0, "\(train.err)")
    let r = expunge("evaluate", "--model", model, "--data", Self.data, "--json")
    #expect(r.status == 0, "\(r.err)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    #expect((json["rows"] as? Int).map { $0 > 200 && $0 < 300 } == true)
    #expect((json["confusionMatrix"] as? [[Int]])?.count == 2)
  }

  @Test func standardizerIsSavedAndApplied() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("m").path
    #expect(
      expunge(
        "train", "--data", Self.data, "--model", "softmax", "--standardize", "--out", model,
        "--quiet"
      )
      .status == 0)
    let r = expunge("evaluate", "--model", model, "--data", Self.data, "--json")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    #expect((json["accuracy"] as? Double).map { $0 > 0.8 } == true)
  }

  /// Progress shows an ETA only where the amount of work is known: epochs have one; an
  /// iterative solver, which stops when it converges, shows its iteration, objective and
  /// gradient norm instead.
  @Test func progressShowsAnETAOnlyForKnownWork() {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let solver = expunge(
      "train", "--data", Self.data, "--model", "softmax", "--out",
      dir.appendingPathComponent("s").path)
    #expect(solver.status == 0)
    let first = solver.err.split(separator: "\n").first.map(String.init) ?? ""
    #expect(
      first.hasPrefix("train softmax: iteration 1  objective ") && first.contains("  ‖∇L‖ "),
      "\(solver.err)")
    #expect(!solver.err.contains("ETA") && !solver.err.contains("/1000"), "\(solver.err)")

    let epochs = expunge(
      "train", "--data", Self.data, "--model", "mlp", "--hidden", "4", "--epochs", "3", "--out",
      dir.appendingPathComponent("m").path)
    #expect(epochs.status == 0)
    #expect(epochs.err.hasPrefix("train mlp: 1/3 epochs  loss "), "\(epochs.err)")
    #expect(epochs.err.contains("ETA "), "\(epochs.err)")
  }
}
