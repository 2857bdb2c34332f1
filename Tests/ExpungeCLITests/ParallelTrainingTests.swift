import Foundation
import Testing

/// Shards trained in parallel processes (`--jobs`) or one by one (`--defer-training` then
/// `shard-train`, as a job array would) give the bytes of in-process training.
@Suite("Parallel shard training")
struct ParallelTrainingTests {
  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: CrashSafetyTests.binary),
      "needs the release binary: run 'swift build -c release --product expunge' (make test does)"))
  func everyWayOfTrainingShardsGivesTheSameBytes() throws {
    let work = FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-jobs-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: work) }
    func train(_ name: String, _ extra: [String]) throws -> URL {
      let store = work.appendingPathComponent(name)
      let r = try CrashSafetyTests.run(
        [
          "train", "--data", CrashSafetyTests.dataSpec, "--model", "mlp", "--hidden", "8",
          "--epochs", "4", "--batch-size", "16", "--store", store.path, "--sisa-shards", "4",
          "--sisa-slices", "2", "--quiet",
        ] + extra)
      #expect(r.status == 0)
      return store
    }
    let inProcess = try train("in-process", [])
    let parallel = try train("parallel", ["--jobs", "3"])
    let deferred = try train("deferred", ["--defer-training"])
    for shard in [2, 0, 3, 1] {
      let r = try CrashSafetyTests.run([
        "shard-train", "--store", deferred.path, "--shard", String(shard), "--quiet",
      ])
      #expect(r.status == 0)
    }
    for store in [parallel, deferred] {
      for shard in 0..<4 {
        let path = "models/v1/shard-\(shard)/weights.safetensors"
        let same =
          FileManager.default.contents(atPath: store.appendingPathComponent(path).path)
          == FileManager.default.contents(atPath: inProcess.appendingPathComponent(path).path)
        #expect(same, "\(store.lastPathComponent) shard \(shard) differs")
      }
    }
    // Each shard recorded the environment that trained it: this machine's.
    let log = try CrashSafetyTests.run(["log", "--store", deferred.path, "--verify"])
    #expect(log.status == 0)
    #expect(log.out.contains("This machine's numeric environment is the same"), "\(log.out)")
  }
}
