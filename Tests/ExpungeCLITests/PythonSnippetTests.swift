import ExpungeCore
import Foundation
import Testing

/// The numpy snippet of docs/python.md, run on models the CLI trains: its classes must be
/// exactly `expunge predict`'s. Runs where `python3` has numpy.
@Suite("docs/python.md")
struct PythonSnippetTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static let python: String? = {
    let environment = ProcessInfo.processInfo.environment
    let onPath = (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
    let candidates =
      [environment["EXPUNGE_PYTHON"]].compactMap { $0 } + onPath
      + [root.appendingPathComponent("Benchmarks/peers/.venv/bin/python").path]
    return candidates.first { path in
      FileManager.default.isExecutableFile(atPath: path)
        && (try? run(path, ["-c", "import numpy"]))?.status == 0
    }
  }()

  static func run(_ executable: String, _ arguments: [String]) throws -> (
    status: Int32, out: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self))
  }

  /// The first ```python block of docs/python.md.
  static func snippet() throws -> String {
    let page = try String(
      contentsOf: root.appendingPathComponent("docs/python.md"), encoding: .utf8)
    let start = try #require(page.range(of: "```python\n"))
    let end = try #require(page.range(of: "\n```", range: start.upperBound..<page.endIndex))
    return String(page[start.upperBound..<end.lowerBound])
  }

  @Test(
    .enabled(if: python != nil, "no python3 with numpy"),
    arguments: [
      ["--model", "mlp", "--hidden", "24,12", "--epochs", "3", "--standardize"],
      ["--model", "mlp", "--hidden", "16", "--activation", "tanh", "--epochs", "2"],
      ["--model", "softmax", "--standardize"],
      ["--model", "softmax", "--scale", "minmax:-2,42", "--standardize"],
      ["--model", "logistic", "--classes", "0,2"],
      ["--model", "ridge"],
    ])
  func snippetPredictsWhatExpungePredicts(_ model: [String]) throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let data = dir.appendingPathComponent("rows.csv")
    var csv = "f0,f1,f2,f3,f4,f5,label\n"
    var generator = SeededGenerator(seed: 7)
    for i in 0..<300 {
      let label = i % 3
      let features = (0..<6).map { j in
        Double(label * (j % 2 == 0 ? 1 : -1)) * 1.5 + (4 * generator.nextDouble() - 2)
          + (j == 5 ? 40 : 0)
      }
      csv += features.map { String(format: "%.4f", $0) }.joined(separator: ",") + ",\(label)\n"
    }
    try csv.write(to: data, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("model").path
    let trained = expunge(["train", "--data", data.path, "--out", out, "--quiet"] + model)
    try #require(trained.status == 0, "\(trained.err)")
    let classes = model.contains("--classes") ? ["--classes", "0,2"] : []
    let predicted = expunge(["predict", "--model", out, "--data", data.path] + classes)
    try #require(predicted.status == 0, "\(predicted.err)")
    let expected = predicted.out.split(separator: "\n").dropFirst().map {
      String($0.split(separator: ",")[1])
    }

    let script =
      try Self.snippet() + """

        import sys
        rows = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, dtype=np.float32)
        keep = [0, 2] if len(sys.argv) > 3 else None
        if keep is not None:
            rows = rows[np.isin(rows[:, -1], keep)]
        print("\\n".join(str(c) for c in predict(sys.argv[1], rows[:, :-1])))
        """
    let python = try #require(Self.python)
    let result = try Self.run(
      python, ["-c", script, out, data.path] + (classes.isEmpty ? [] : ["binary"]))
    try #require(result.status == 0)
    let ours = result.out.split(separator: "\n").map(String.init)
    #expect(ours.count == expected.count)
    let differing = zip(ours, expected).filter { $0 != $1 }.count
    #expect(differing == 0, "\(differing) of \(expected.count) rows predicted differently")
  }
}
