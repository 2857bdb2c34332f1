import ExpungeCore
import Foundation
import Testing

/// The README's walk-through ("Your own CSV, end to end"), run as a new user would: its shell
/// block, verbatim, in an empty directory holding only `my-data.csv`, with the release
/// binary on PATH. Every command must succeed, and the files it promises must exist.
@Suite("README walk-through")
struct ReadmeWalkthroughTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The first ```sh block after the walk-through's heading.
  static func walkthrough() throws -> String {
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let heading = try #require(readme.range(of: "## Your own CSV, end to end"))
    let start = try #require(
      readme.range(of: "```sh\n", range: heading.upperBound..<readme.endIndex))
    let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
    return String(readme[start.upperBound..<end.lowerBound])
  }

  /// A CSV as users have them: a header of names, no id column, the class last, features on
  /// their own scales (0 … 16, like scikit-learn's digits).
  static func userData(rows: Int = 1500, features: Int = 12, classes: Int = 4) -> String {
    var generator = SeededGenerator(seed: 11)
    var csv = (0..<features).map { "pixel\($0)" }.joined(separator: ",") + ",digit\n"
    for i in 0..<rows {
      let label = i % classes
      let values = (0..<features).map { j -> String in
        let centre = Double((label * 5 + j * 3) % 17)
        let value = min(16, max(0, (centre + 6 * generator.nextDouble() - 3).rounded()))
        return String(Int(value))
      }
      csv += values.joined(separator: ",") + ",\(label)\n"
    }
    return csv
  }

  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: CrashSafetyTests.binary),
      "needs the release binary: run 'swift build -c release --product expunge' (make test does)"))
  func everyCommandOfTheWalkthroughSucceeds() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.userData().write(
      to: dir.appendingPathComponent("my-data.csv"), atomically: true, encoding: .utf8)
    let script = try Self.walkthrough()
    #expect(script.contains("expunge forget"))

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-euo", "pipefail", "-c", script]
    process.currentDirectoryURL = dir
    var environment = ProcessInfo.processInfo.environment
    let binaries = URL(fileURLWithPath: CrashSafetyTests.binary).deletingLastPathComponent().path
    environment["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    process.environment = environment
    let errors = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    let stderr = String(
      decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(stderr.suffix(600))")
    for file in ["train.csv", "test.csv", "predictions.csv", "audit.html"] {
      #expect(
        FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path),
        "\(file) missing")
    }
  }
}
