import ExpungeData
import ExpungeStore
import Foundation

/// `expunge forget`: remove rows from a store's model, durably and exactly.
enum ForgetCommand: Command {
  static let spec = CommandSpec(
    name: "forget",
    abstract: "Forget training rows: retrain what saw them, purge every copy.",
    discussion:
      "The request is recorded in the store's ledger before any work starts. The rows are tombstoned, each affected shard is retrained once from its last checkpoint that never saw them (--method sisa) or updated in place (--method newton), a new model version is written, and the rows, older versions and checkpoints trained on them are deleted. If expunge is killed, the next expunge command on the store finishes the request with the same result. Ids already forgotten are reported and skipped.\n\n--method newton needs a store trained with --certified (logistic or softmax) or a ridge model, one slice per shard. A certified model takes one Newton step per row and records each step's bound on the gradient residual in the ledger; while the accumulated bound stays within the budget σε/c set at training, the model is (ε, δ)-indistinguishable from one retrained without the rows (Guo et al., ICML 2020). A request that would exceed the budget retrains the shard exactly on its kept rows with a fresh random term, and says so. A ridge model is updated exactly (Cholesky downdates): it equals a refit.",
    options: [
      OptionSpec(
        name: "store", valueName: "dir", help: "Store made by 'expunge train --store'.",
        isRequired: true),
      OptionSpec(name: "ids", valueName: "list", help: "Sample ids, comma-separated."),
      OptionSpec(
        name: "ids-file", valueName: "file",
        help: "A file of sample ids, one per line ('#' starts a comment)."),
      OptionSpec(name: "class", valueName: "k", help: "Every remaining row of class k."),
      OptionSpec(
        name: "method", valueName: "name",
        help:
          "How to forget: 'sisa' retrains affected shards from their last clean checkpoint, 'retrain' every shard from scratch, 'newton' updates certified or ridge models in place.",
        defaultValue: "sisa", values: ForgetMethod.allCases.map(\.rawValue)),
      .flag("json", "Print the ledger record as one JSON document on stdout."),
    ],
    examples: [
      "expunge forget --store runs/fm --ids 3,17",
      "expunge forget --store runs/fm --ids-file withdrawn.txt --json",
      "expunge forget --store runs/fm --class 6 --method retrain",
      "expunge forget --store runs/certified --ids 3,17 --method newton",
    ],
    alternatives: "(--ids <list> | --ids-file <file> | --class <k>)")

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let sources = ["ids", "ids-file", "class"].filter { arguments.has($0) }
    guard sources.count == 1 else {
      throw CLIError.usage(
        sources.isEmpty
          ? "say what to forget: --ids, --ids-file or --class"
          : "give one of --ids, --ids-file, --class, not \(sources.map { "--\($0)" }.joined(separator: " and "))",
        command: spec)
    }
    let method = try arguments.choice("method", as: ForgetMethod.self) ?? .sisa
    var ids: [SampleID] = []
    if let list = arguments.string("ids") {
      for item in list.split(separator: ",", omittingEmptySubsequences: false) {
        guard let v = UInt64(item.trimmingCharacters(in: .whitespaces)) else {
          throw arguments.invalid("ids", list, "comma-separated non-negative integer ids")
        }
        ids.append(SampleID(v))
      }
    } else if let path = arguments.string("ids-file") {
      ids = try readIDs(path)
    }
    let store = try Store.open(URL(fileURLWithPath: arguments.required("store")))
    if arguments.has("class") {
      guard let k = try arguments.int("class") else { return }
      ids = try store.activeIDs(label: k)
      guard !ids.isEmpty else {
        throw CLIError.data("class \(k) has no rows left in \(store.directory.path)")
      }
    }
    let bar = ProgressBar(title: "forget", console: console, enabled: !arguments.flag("json"))
    store.progress = { completed, total in
      bar.update(completed: completed, total: total, unit: "stage")
    }
    let request = try store.forget(ids, method: method)
    bar.finish()
    if arguments.flag("json") {
      console.print(try JSONOutput.encode(request))
      return
    }
    let shards = (request.shards ?? []).map { entry -> String in
      let parts = entry.split(separator: ":")
      return "\(parts[0]) (from stage \(parts[1]))"
    }
    console.print(
      "Forgot \(request.removed ?? 0) row(s) (request \(request.seq), method \(request.method)) in \(ProgressBar.duration(request.seconds ?? 0))"
    )
    if let already = request.alreadyForgotten, already > 0 {
      console.print("  already forgotten    \(already) row(s), skipped")
    }
    if let newton = request.newton {
      printNewton(newton, console: console)
    } else {
      console.print(
        "  shards retrained     \(shards.isEmpty ? "none" : shards.joined(separator: ", "))")
    }
    console.print("  model version        \(request.version)")
  }

  /// One line per shard a newton request updated: what was certified, or that it was exact.
  static func printNewton(_ records: [NewtonRemoval], console: Console) {
    for r in records {
      let time = ProgressBar.duration(r.seconds)
      guard r.kind == "certified", let budget = r.budget, let total = r.residualBounds else {
        console.print(
          "  shard \(r.shard)              \(r.removed) row(s) removed exactly in \(time)")
        continue
      }
      if r.retrained == true {
        console.print(
          "  shard \(r.shard)              budget spent: retrained exactly on the kept rows (fresh b) in \(time)"
        )
        continue
      }
      let spent = (total.max() ?? 0) / budget
      let bound = String(
        format: "residual bound %.3g of budget %.3g (%.1f %% spent)", total.max() ?? 0, budget,
        100 * spent)
      console.print(
        "  shard \(r.shard)              \(r.removed) Newton step(s) in \(time), \(bound)")
    }
  }

  /// Ids from a file, one per line; blank lines and `#` comments are skipped.
  static func readIDs(_ path: String) throws -> [SampleID] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError.data("\(path): no such file")
    }
    var ids: [SampleID] = []
    for (n, raw) in String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false
    ).enumerated() {
      let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        .trimmingCharacters(in: .whitespaces)
      if line.isEmpty { continue }
      guard let v = UInt64(line) else {
        throw CLIError.data("\(path):\(n + 1): '\(line)' is not a sample id")
      }
      ids.append(SampleID(v))
    }
    guard !ids.isEmpty else { throw CLIError.data("\(path): no ids in the file") }
    return ids
  }
}
