import ExpungeCore
import ExpungeData
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `expunge forget` killed with SIGKILL at random moments: the next command finishes the
/// request, no forgotten row survives in any file, and the store ends byte-identical to an
/// uninterrupted run. `EXPUNGE_CRASH_POINTS` sets the number of kills (50 here, 500 in
/// `make stress`).
@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let binary = root.appendingPathComponent(".build/release/expunge").path
  static let dataSpec = "synthetic:n=400,d=6,classes=3,seed=1,sep=1.5"
  static let forgotten: [UInt64] = [4, 57, 58, 190, 333, 399]
  /// The permanent rows of the stores over a shared base (`…-permanent` methods): ids 1 mod
  /// 5, none of them in `forgotten`.
  static let permanent: [UInt64] = (0..<400).filter { $0 % 5 == 1 }
  /// What `method` forgets: `retrain-permanent` also two permanent rows (so the base retrains).
  static func forgotten(_ method: String) -> [UInt64] {
    method == "retrain-permanent" ? forgotten + [1, 6] : forgotten
  }

  struct Run {
    var status: Int32
    var out: String
  }

  @discardableResult
  static func run(_ arguments: [String], killAfter delay: Double? = nil) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    if let delay {
      usleep(UInt32(delay * 1e6))
      kill(process.processIdentifier, SIGKILL)
    }
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, out: String(decoding: out, as: UTF8.self))
  }

  /// Every file of a store but the ledger and the lock, with its bytes.
  static func contents(_ store: URL) -> [String: Data] {
    var out: [String: Data] = [:]
    let walker = FileManager.default.enumerator(atPath: store.path)!
    while let path = walker.nextObject() as? String {
      var isDirectory: ObjCBool = false
      let url = store.appendingPathComponent(path)
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory),
        !isDirectory.boolValue
      else { continue }
      out[path] = FileManager.default.contents(atPath: url.path)
    }
    return out
  }

  static func forgetArguments(_ store: URL, method: String) -> [String] {
    // Influence corrects the rows instead: each relabelled to the next class, its first
    // feature zeroed (so its old bytes must go like a forgotten row's).
    let what =
      method == "influence"
      ? [
        "--relabel", forgotten.map { "\($0):\(($0 + 1) % 3)" }.joined(separator: ","),
        "--zero-features", forgotten.map { "\($0):0" }.joined(separator: ","),
      ]
      : ["--ids", forgotten(method).map(String.init).joined(separator: ",")]
    let name = method.hasSuffix("-permanent") ? String(method.dropLast(10)) : method
    return ["forget", "--store", store.path, "--method", name] + what
  }

  /// The training behind each method: SISA retrains an MLP from sliced checkpoints; newton
  /// updates certified one-vs-rest models in place, finetune MLP shards (the generic path of
  /// model-update methods); `…-permanent` trains the MLP over a
  /// shared base on `permanent` (listed in a file beside the store).
  static func trainArguments(_ store: URL, method: String) throws -> [String] {
    var extra: [String] = []
    if method.hasSuffix("-permanent") {
      let file = store.deletingLastPathComponent().appendingPathComponent("permanent.txt")
      try permanent.map { "\($0)\n" }.joined().write(to: file, atomically: true, encoding: .utf8)
      extra = ["--permanent-ids", file.path]
    }
    let model =
      method == "newton"
      ? ["--model", "softmax", "--certified", "--l2", "1e-2", "--sisa-shards", "2"]
      : method == "finetune"
        ? [
          "--model", "mlp", "--hidden", "8", "--epochs", "6", "--batch-size", "16", "--sisa-shards",
          "2",
        ]
        : method == "influence"
          ? ["--model", "softmax", "--l2", "1e-2", "--sisa-shards", "2"]
          : [
            "--model", "mlp", "--hidden", "8", "--epochs", "6", "--batch-size", "16",
            "--sisa-shards",
            "3", "--sisa-slices", "3",
          ]
    return ["train", "--data", dataSpec, "--store", store.path, "--quiet"] + model + extra
  }

  /// A store's files, with the wall times a newton request records in a shard's
  /// `update-state.json` taken out (they differ from run to run; nothing else may).
  static func comparable(_ files: [String: Data]) -> [String: Data] {
    var out = files.filter { !$0.key.hasPrefix("expunge.sqlite") && $0.key != "lock" }
    for (path, bytes) in out where path.hasSuffix("update-state.json") {
      let text = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        .filter { !$0.contains("\"seconds\"") }.joined(separator: "\n")
      out[path] = Data(text.utf8)
    }
    return out
  }

  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: binary),
      "needs the release binary: run 'swift build -c release --product expunge' (make test does)"),
    arguments: ["sisa", "newton", "influence", "finetune", "sisa-permanent", "retrain-permanent"])
  func killedForgetsFinishExactlyAndLeaveNoRow(method: String) throws {
    let points =
      (ProcessInfo.processInfo.environment["EXPUNGE_CRASH_POINTS"].flatMap(Int.init) ?? 50)
      / (method == "sisa" ? 1 : 2)
    let work = FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-crash-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    let base = work.appendingPathComponent("base")
    let trained = try Self.run(try Self.trainArguments(base, method: method))
    try #require(trained.status == 0)

    // The uninterrupted run, and how long it takes: the fastest of three, so that one slow
    // run on a busy machine does not spread the kills past the end of most runs.
    var duration = Double.infinity
    let reference = work.appendingPathComponent("reference")
    for _ in 0..<3 {
      try? FileManager.default.removeItem(at: reference)
      try FileManager.default.copyItem(at: base, to: reference)
      let clock = Date()
      try #require(try Self.run(Self.forgetArguments(reference, method: method)).status == 0)
      duration = min(duration, Date().timeIntervalSince(clock))
    }
    let expected = Self.comparable(Self.contents(reference))

    let data = try DatasetCatalog.load(Self.dataSpec)
    let d = data.featureCount
    let rowBytes = Self.forgotten(method).map { id -> Data in
      let i = data.ids.firstIndex(of: SampleID(id))!
      return Array(data.features.storage[(i * d)..<((i + 1) * d)]).withUnsafeBytes { Data($0) }
    }

    var rng = SeededGenerator(seed: 2026)
    var failures: [String] = []
    var interrupted = 0
    for point in 0..<points {
      let trial = work.appendingPathComponent("trial-\(point)")
      try FileManager.default.copyItem(at: base, to: trial)
      defer { try? FileManager.default.removeItem(at: trial) }
      let delay = rng.nextDouble() * duration * 1.2
      let killed = try Self.run(Self.forgetArguments(trial, method: method), killAfter: delay)
      if killed.status != 0 { interrupted += 1 }
      // Any command finishes an accepted request; a request killed before it was recorded
      // was never accepted, and the user sends it again.
      let log = try Self.run(["log", "--store", trial.path, "--json"])
      guard log.status == 0 else {
        failures.append("kill \(point) after \(delay)s: log exited \(log.status)")
        continue
      }
      if !log.out.contains("\"state\" : \"DONE\"") {
        try Self.run(Self.forgetArguments(trial, method: method))
      }
      let files = Self.contents(trial)
      let kept = Self.comparable(files)
      if kept != expected {
        let differing =
          Set(kept.keys).symmetricDifference(expected.keys).sorted()
          + kept.keys.filter { expected[$0] != nil && expected[$0] != kept[$0] }.sorted()
        failures.append("kill \(point) after \(delay)s: files differ: \(differing.prefix(5))")
      }
      for (id, bytes) in zip(Self.forgotten(method), rowBytes) {
        if let holder = files.first(where: { $0.value.range(of: bytes) != nil }) {
          failures.append("kill \(point): row \(id) survives in \(holder.key)")
        }
      }
    }
    #expect(
      failures.isEmpty, "\(failures.count) of \(points) kill points failed: \(failures.prefix(5))")
    // The kills must actually interrupt work, or the test proves nothing.
    #expect(interrupted >= points / 3, "only \(interrupted) of \(points) runs were interrupted")
    print(
      "crash safety (\(method)): \(points) kill points, \(interrupted) interrupted, \(failures.count) failures"
    )
  }
}
