import ExpungeData
import Foundation
import Testing

/// The same command gives the same bytes with 1, 2 or 3 threads (`EXPUNGE_THREADS` and
/// `OPENBLAS_NUM_THREADS` both set, as a user would): every model kind and solver, a SISA
/// store through `forget` by retraining, by certified Newton steps and by an influence
/// update, and the audit's numbers (threshold, shadow and LiRA attacks; the audit judges
/// removals, so the certified store's). The release binary runs in its own process per thread
/// count, so each run really has that many threads, and the data are large enough that the
/// products are split into tiles and the objectives into chunks (a 3 000-row Fashion-MNIST
/// sample: the MLP's 128 × 256 × 784 products, softmax chunks of 512 rows, logistic
/// Hessians over 2 048 rows).
@Suite("Same bits on any thread count", .serialized)
struct ThreadCountTests {
  static let threadCounts = [1, 2, 3]
  static func sample(_ rows: Int = 3000) -> [String] {
    ["--data", "fashion-mnist", "--limit", String(rows), "--seed", "3"]
  }

  static func run(_ arguments: [String], threads: Int) throws -> CrashSafetyTests.Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CrashSafetyTests.binary)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["EXPUNGE_THREADS"] = String(threads)
    environment["OPENBLAS_NUM_THREADS"] = String(threads)
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CrashSafetyTests.Run(
      status: process.terminationStatus, out: String(decoding: out, as: UTF8.self))
  }

  struct ModelCase: CustomTestStringConvertible, Sendable {
    let name: String
    var rows = 3000
    let options: [String]
    var testDescription: String { name }
  }

  static let models = [
    ModelCase(name: "mlp", options: ["--model", "mlp", "--hidden", "256", "--epochs", "1"]),
    ModelCase(name: "cnn", rows: 1000, options: ["--model", "cnn", "--epochs", "1"]),
    ModelCase(name: "softmax l-bfgs", options: ["--model", "softmax", "--max-iter", "40"]),
    ModelCase(
      name: "logistic l-bfgs",
      options: ["--classes", "0,6", "--model", "logistic", "--solver", "lbfgs", "--max-iter", "60"]),
    ModelCase(
      name: "logistic newton",
      options: ["--classes", "0,6", "--model", "logistic", "--solver", "newton", "--max-iter", "5"]),
    ModelCase(
      name: "certified logistic",
      options: ["--classes", "0,6", "--model", "logistic", "--certified"]
    ),
    ModelCase(
      name: "certified one-vs-rest", rows: 1500,
      options: ["--model", "softmax", "--certified", "--l2", "1e-2"]),
  ]

  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: CrashSafetyTests.binary),
      "needs the release binary: run 'swift build -c release --product expunge' (make test does)"),
    arguments: models)
  func trainingGivesTheSameWeights(_ model: ModelCase) throws {
    let work = temporaryDirectory("threads-\(model.name)")
    defer { try? FileManager.default.removeItem(at: work) }
    var weights: [Int: Data] = [:]
    for threads in Self.threadCounts {
      let out = work.appendingPathComponent("t\(threads)")
      let r = try Self.run(
        ["train"] + Self.sample(model.rows) + model.options + ["--out", out.path, "--quiet"],
        threads: threads)
      try #require(r.status == 0, "\(model.name) with \(threads) threads exited \(r.status)")
      weights[threads] = try Data(contentsOf: out.appendingPathComponent("weights.safetensors"))
    }
    for threads in Self.threadCounts.dropFirst() {
      #expect(weights[threads] == weights[1], "\(model.name): \(threads) threads ≠ 1 thread")
    }
  }

  /// Every file of the store but the ledger (it records wall times) and the lock; JSON files
  /// as their numbers without timings.
  static func modelFiles(_ store: URL) throws -> [String: Data] {
    var files = CrashSafetyTests.contents(store).filter { path, _ in
      !path.hasPrefix("expunge.sqlite") && path != "lock"
    }
    for (path, bytes) in files where path.hasSuffix(".json") {
      files[path] = try JSONSerialization.data(
        withJSONObject: numbers(String(decoding: bytes, as: UTF8.self)), options: [.sortedKeys])
    }
    return files
  }

  /// A JSON document without its timings and the paths it names.
  static func numbers(_ json: String) throws -> NSDictionary {
    func strip(_ value: Any) -> Any {
      if let dictionary = value as? [String: Any] {
        return dictionary.filter { key, _ in
          let k = key.lowercased()
          return !["second", "timing", "time", "subject", "created"].contains { k.contains($0) }
        }.mapValues(strip)
      }
      if let array = value as? [Any] { return array.map(strip) }
      return value
    }
    let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8))
    return try #require(strip(parsed) as? [String: Any]) as NSDictionary
  }

  struct StoreCase: CustomTestStringConvertible, Sendable {
    let name: String
    var binary = false
    let training: [String]
    /// `forget`'s method; `influence` relabels the rows instead of removing them.
    let method: String
    var audited = true
    var testDescription: String { name }
  }

  static let stores = [
    StoreCase(
      name: "mlp sisa",
      training: ["--model", "mlp", "--hidden", "256", "--epochs", "2", "--sisa-slices", "2"],
      method: "sisa", audited: false),
    StoreCase(
      name: "cnn sisa",
      training: [
        "--model", "cnn", "--layers", "conv8x3,pool2,dense16", "--epochs", "2", "--sisa-slices",
        "2",
      ],
      method: "sisa", audited: false),
    StoreCase(
      name: "certified newton", binary: true, training: ["--model", "logistic", "--certified"],
      method: "newton"),
    StoreCase(
      name: "softmax influence",
      training: ["--model", "softmax", "--l2", "1e-3", "--max-iter", "60"],
      method: "influence", audited: false),
  ]

  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: CrashSafetyTests.binary),
      "needs the release binary: run 'swift build -c release --product expunge' (make test does)"),
    arguments: stores)
  func storesAndAuditsGiveTheSameBytes(_ store: StoreCase) throws {
    let work = temporaryDirectory("threads-\(store.name)")
    defer { try? FileManager.default.removeItem(at: work) }
    var files: [Int: [String: Data]] = [:]
    var audits: [Int: NSDictionary] = [:]
    let classes = store.binary ? ["--classes", "0,6"] : []
    let ids = try Self.someIds(binary: store.binary)
    let what =
      store.method == "influence"
      ? ["--relabel", ids.map { "\($0):\(($0 % 9) + 1)" }.joined(separator: ",")]
      : ["--ids", ids.map(String.init).joined(separator: ",")]
    for threads in Self.threadCounts {
      let dir = work.appendingPathComponent("t\(threads)")
      let trained = try Self.run(
        ["train"] + Self.sample() + classes + store.training + [
          "--store", dir.path, "--sisa-shards", "2", "--quiet",
        ], threads: threads)
      try #require(trained.status == 0, "\(store.name): train exited \(trained.status)")
      let forgot = try Self.run(
        ["forget", "--store", dir.path, "--method", store.method] + what, threads: threads)
      try #require(forgot.status == 0, "\(store.name): forget exited \(forgot.status)")
      files[threads] = try Self.modelFiles(dir)
      guard store.audited else { continue }
      let audit = try Self.run(
        [
          "audit", "--store", dir.path, "--test", "fashion-mnist:test", "--attacks",
          "loss-threshold,shadow,lira-offline", "--reference-models", "2", "--json", "--data",
          "fashion-mnist",
        ] + classes, threads: threads)
      try #require(audit.status == 0, "\(store.name): audit exited \(audit.status)")
      audits[threads] = try Self.numbers(audit.out)
    }
    let reference = try #require(files[1])
    #expect(reference.keys.contains { $0.hasSuffix("weights.safetensors") })
    for threads in Self.threadCounts.dropFirst() {
      let other = try #require(files[threads])
      #expect(Set(other.keys) == Set(reference.keys), "\(store.name): \(threads) threads' files")
      for (path, bytes) in reference where other[path] != bytes {
        Issue.record("\(store.name): \(path) differs between 1 and \(threads) threads")
      }
      if let audit = audits[threads] {
        #expect(audit == audits[1], "\(store.name): audit with \(threads) threads ≠ 1 thread")
      }
    }
  }

  /// Six ids of the training sample (what `--limit 3000 --seed 3` keeps, loaded here the
  /// way the command line loads it), for `--classes 0,6` of that sample when `binary`.
  static func someIds(binary: Bool) throws -> [UInt64] {
    var data = try DatasetCatalog.load("fashion-mnist")
    if binary { data = try data.selectingClasses([0, 6]) }
    data = try data.limited(to: 3000, seed: 3)
    return stride(from: 0, to: data.count, by: data.count / 6).prefix(6).map {
      data.ids[$0].rawValue
    }
  }
}
