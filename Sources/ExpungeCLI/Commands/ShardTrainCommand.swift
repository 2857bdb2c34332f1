import ExpungeCore
import ExpungeStore
import Foundation

/// `expunge shard-train`: train one shard of a store prepared with `--defer-training`.
enum ShardTrainCommand: Command {
  static let spec = CommandSpec(
    name: "shard-train",
    abstract: "Train one SISA shard of a store, for job arrays and parallel training.",
    discussion:
      "The store must come from 'expunge train --store DIR --defer-training' (or '--jobs N', which runs this command itself). Each shard holds its own lock (DIR/lock-shard-K) and records its result in the ledger; whichever process finds every shard done writes model version 1, under the store lock. Machines that share DIR can train shards at the same time if the file system gives POSIX locks to SQLite and flock (a local disk, or NFSv4 with working locks).",
    options: [
      OptionSpec(
        name: "store", valueName: "dir", help: "Store prepared with --defer-training.",
        isRequired: true),
      OptionSpec(
        name: "shard", valueName: "k", help: "The shard to train, 0…S−1.", isRequired: true),
    ],
    examples: [
      "expunge shard-train --store runs/big --shard 3",
      "sbatch --array=0-19 --wrap 'expunge shard-train --store runs/big --shard $SLURM_ARRAY_TASK_ID'",
    ])

  /// What `shard-train --json` prints.
  struct Result: Encodable {
    var store: String
    var shard: Int
    /// Whether every shard is now trained (and model version 1 written).
    var storeFinished: Bool
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    guard let shard = try arguments.int("shard", in: 0...1_000_000) else { return }
    let directory = URL(fileURLWithPath: arguments.required("store"))
    let bar = ProgressBar(title: "train shard \(shard)", console: console)
    let finished = try CLIError.naming(directory.path) {
      try Store.trainShard(at: directory, shard: shard) { completed, total in
        bar.update(completed: completed, total: total, unit: "stage")
      }
    }
    bar.finish()
    if arguments.flag("json") {
      console.print(
        try JSONOutput.encode(Result(store: directory.path, shard: shard, storeFinished: finished)))
      return
    }
    console.print(
      "Trained shard \(shard) of \(directory.path)"
        + (finished ? "; every shard is done: model version 1 written" : ""))
  }

  /// Runs `expunge shard-train` for every shard, `jobs` processes at a time.
  static func runInParallel(store: URL, shards: Int, jobs: Int, bar: ProgressBar) throws {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var next = 0
    var running: [(shard: Int, process: Process)] = []
    var done = 0
    var failed: [Int] = []
    while next < shards || !running.isEmpty {
      while running.count < jobs && next < shards {
        let process = Process()
        process.executableURL = executable
        process.arguments = [
          "shard-train", "--store", store.path, "--shard", String(next), "--quiet",
        ]
        process.standardOutput = FileHandle.nullDevice
        // Share the cores: results do not depend on the thread count, only speed does.
        var environment = ProcessInfo.processInfo.environment
        environment["EXPUNGE_THREADS"] = String(max(1, Threads.count / min(jobs, shards)))
        process.environment = environment
        try process.run()
        running.append((next, process))
        next += 1
      }
      Thread.sleep(forTimeInterval: 0.05)
      for entry in running where !entry.process.isRunning {
        if entry.process.terminationStatus != 0 { failed.append(entry.shard) }
        done += 1
        bar.update(completed: done, total: shards, unit: "shard")
      }
      running.removeAll { !$0.process.isRunning }
    }
    guard failed.isEmpty else {
      throw CLIError.failure(
        "shard(s) \(failed.sorted().map(String.init).joined(separator: ", ")) failed to train; rerun 'expunge shard-train --store \(store.path) --shard K' for each"
      )
    }
  }
}
