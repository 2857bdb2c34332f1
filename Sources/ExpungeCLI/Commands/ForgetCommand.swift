import ExpungeData
import ExpungeStore
import ExpungeUnlearning
import Foundation

/// `expunge forget`: remove rows from a store's model, durably and exactly.
enum ForgetCommand: Command {
  static let spec = CommandSpec(
    name: "forget",
    abstract: "Forget training rows: retrain what saw them, purge every copy.",
    discussion:
      "The request is recorded in the store's ledger before any work starts. The rows are tombstoned, each affected shard is retrained once from its last checkpoint that never saw them (--method sisa) or updated in place (--method newton), a new model version is written, and the rows, older versions and checkpoints trained on them are deleted. If expunge is killed, the next expunge command on the store finishes the request with the same result. Ids already forgotten are reported and skipped.\n\n--method newton needs a store trained with --certified (logistic or softmax) or a ridge model, one slice per shard. A certified model takes one Newton step per row and records each step's bound on the gradient residual in the ledger; while the accumulated bound stays within the budget σε/c set at training, the model is (ε, δ)-indistinguishable from one retrained without the rows (Guo et al., ICML 2020). A request that would exceed the budget retrains the shard exactly on its kept rows with a fresh random term, and says so. A ridge model is updated exactly (Cholesky downdates): it equals a refit.\n\n--relabel, --zero-features and --zero-columns correct rows instead of removing them: the store keeps only the new values, and the model is retrained (sisa, retrain: exact) or updated by an influence step (--method influence, Warnecke et al., NDSS 2023).",
    options: [
      OptionSpec(
        name: "store", valueName: "dir", help: "Store made by 'expunge train --store'.",
        isRequired: true),
      OptionSpec(
        name: "ids", valueName: "list",
        help: "Sample ids and ranges of ids, comma-separated, e.g. 3,17,100-120."),
      OptionSpec(
        name: "ids-file", valueName: "file",
        help: "A file of sample ids, one per line, as --ids takes them ('#' starts a comment)."),
      OptionSpec(name: "class", valueName: "k", help: "Every remaining row of class k."),
      OptionSpec(
        name: "relabel", valueName: "id:label,…",
        help: "Correct rows' labels (instead of removing rows); an id may be a range, 100-120:7.",
        group: changesGroup),
      OptionSpec(
        name: "zero-features", valueName: "cells",
        help:
          "Set single feature values to 0: id:feature pairs, comma-separated (features are numbered 0 … d−1); an id may be a range.",
        group: changesGroup),
      OptionSpec(
        name: "zero-columns", valueName: "list",
        help: "Set whole features to 0 in every row, e.g. 3,7,100-120.", group: changesGroup),
      OptionSpec(
        name: "order", valueName: "1|2",
        help:
          "With --method influence: 1 steps along the gradient difference (needs --tau), 2 takes a Newton step (exact Hessian for logistic and softmax, conjugate gradients for the MLP).",
        defaultValue: "2", group: changesGroup),
      OptionSpec(
        name: "tau", valueName: "τ", help: "With --order 1: the step size.", group: changesGroup),
      OptionSpec(
        name: "method", valueName: "name",
        help: "How to forget: "
          + UnlearningMethods.all.map { "'\($0.name)': \($0.summary)" }.joined(separator: "; ")
          + ".",
        defaultValue: "sisa", values: ForgetMethod.allCases.map(\.rawValue)),
      OptionSpec(
        name: "set", valueName: "key=value,…",
        help: "Settings of a model-update method ("
          + UnlearningMethods.all.compactMap { $0 as? any ModelUpdateMethod.Type }.map {
            "\($0.name): \($0.settingNames.joined(separator: ", "))"
          }.joined(separator: "; ")
          + "); the others keep their defaults. See docs/methods.md."),
    ],
    examples: [
      "expunge forget --store runs/fm --ids 3,17,100-120",
      "expunge forget --store runs/fm --ids-file withdrawn.txt --json",
      "expunge forget --store runs/fm --class 6 --method retrain",
      "expunge forget --store runs/cert --ids 1,2,4 --method newton",
      "expunge forget --store runs/sm --relabel 3:7,17:2 --method influence --order 2",
      "expunge forget --store runs/fm --zero-columns 0-27 --method sisa",
      "expunge forget --store runs/fm1 --ids 3,17 --method finetune --set epochs=3,learningRate=0.001",
    ],
    alternatives:
      "(--ids <list> | --ids-file <file> | --class <k> | --relabel <id:label,…> | --zero-features <cells> | --zero-columns <list>)",
    jsonHelp: "Print the ledger record as one JSON document on stdout.")

  static let changesGroup = "CORRECTING ROWS INSTEAD OF REMOVING THEM"

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    if ["relabel", "zero-features", "zero-columns"].contains(where: { arguments.has($0) }) {
      return try runChanges(arguments, console: console)
    }
    if let option = ["order", "tau"].first(where: { arguments.has($0) }) {
      throw CLIError.usage(
        "option '--\(option)' goes with --relabel, --zero-features or --zero-columns",
        command: spec)
    }
    let sources = ["ids", "ids-file", "class"].filter { arguments.has($0) }
    guard sources.count == 1 else {
      throw CLIError.usage(
        sources.isEmpty
          ? "say what to forget: --ids, --ids-file or --class"
          : "give one of --ids, --ids-file, --class, not \(sources.map { "--\($0)" }.joined(separator: " and "))",
        command: spec)
    }
    let method = try MethodSettingsArgument.apply(
      to: arguments.choice("method", as: ForgetMethod.self) ?? .sisa, arguments)
    // Every argument is checked before the store is opened.
    let forgottenClass = try arguments.int("class", in: 0...Int(Int32.max))
    var ids: [SampleID] = []
    if let list = try arguments.idList("ids") {
      ids = list.map { SampleID($0) }
    } else if let path = arguments.string("ids-file") {
      ids = try readIDs(path)
    }
    let store = try Store.open(URL(fileURLWithPath: arguments.required("store")))
    if let k = forgottenClass {
      ids = try store.activeIDs(label: Int32(k))
      guard !ids.isEmpty else {
        throw CLIError.data("class \(k) has no rows left in \(store.directory.path)")
      }
    }
    guard
      let request = try submit(
        "forget", to: store, arguments, console: console, { try store.forget(ids, method: method) })
    else { return }
    console.print(
      "Forgot \(ProgressBar.count(request.removed ?? 0, "row")) (request \(request.seq), method \(request.method)) in \(ProgressBar.duration(request.seconds ?? 0))"
    )
    if let already = request.alreadyForgotten, already > 0 {
      console.print("  already forgotten    \(ProgressBar.count(already, "row")), skipped")
    }
    if let newton = request.newton {
      printNewton(newton, console: console)
    } else if let update = request.update {
      let shards = (update.shards ?? []).map(\.shard)
      console.print(
        "  updated in place     \(shards.count == 1 ? "shard" : "shards") \(shards.map(String.init).joined(separator: ", ")) (\(update.guarantee.rawValue))"
      )
    } else {
      console.print("  " + retrained(request.shards ?? []))
    }
    console.print("  model version        \(request.version)")
  }

  /// Runs `request` on `store` with a progress bar; with `--json` prints its ledger record
  /// and returns nil, else returns it for the summary.
  static func submit(
    _ title: String, to store: Store, _ arguments: ParsedArguments, console: Console,
    _ request: () throws -> LedgerRequest
  ) throws -> LedgerRequest? {
    let bar = ProgressBar(title: title, console: console)
    store.progress = { completed, total in
      bar.update(completed: completed, total: total, unit: "stage")
    }
    let done = try CLIError.naming(store.directory.path, request)
    bar.finish()
    guard !arguments.flag("json") else {
      console.print(try JSONOutput.encode(done))
      return nil
    }
    return done
  }

  /// `--relabel`, `--zero-features`, `--zero-columns`: a correction request.
  static func runChanges(_ arguments: ParsedArguments, console: Console) throws {
    if arguments.has("set") {
      throw CLIError.usage(
        "--set configures a method that removes rows; corrections use sisa, retrain or influence",
        command: spec)
    }
    if let option = ["ids", "ids-file", "class"].first(where: { arguments.has($0) }) {
      throw CLIError.usage(
        "--\(option) removes rows; correct rows in a request of their own", command: spec)
    }
    let method = try arguments.choice("method", as: ForgetMethod.self) ?? .sisa
    let order = try arguments.int("order", in: 1...2)
    let tau = try arguments.double("tau", where: { $0 > 0 }, expected: "a number > 0")
    if method != .influence, let option = ["order", "tau"].first(where: { arguments.has($0) }) {
      throw CLIError.usage("option '--\(option)' needs --method influence", command: spec)
    }
    if method == .influence && (order ?? 2) == 1 && tau == nil {
      throw CLIError.usage("--order 1 needs --tau, the step size", command: spec)
    }
    if (order ?? 2) == 2 && tau != nil {
      throw CLIError.usage("--tau is the step size of --order 1", command: spec)
    }
    var changes = RowChanges()
    if let text = arguments.string("relabel") {
      changes.relabel = try pairs("relabel", text, "id:label").map {
        RowChanges.Relabel(id: SampleID($0.0), label: Int32(clamping: $0.1))
      }
    }
    if let text = arguments.string("zero-features") {
      changes.zeroFeatures = try pairs("zero-features", text, "id:feature").map {
        RowChanges.Cell(id: SampleID($0.0), feature: Int(clamping: $0.1))
      }
    }
    if let columns = try featureList(arguments) {
      changes.zeroColumns = columns
    }
    let store = try Store.open(URL(fileURLWithPath: arguments.required("store")))
    guard
      let request = try submit(
        "correct", to: store, arguments, console: console,
        { try store.change(changes, method: method, order: order, tau: tau) })
    else { return }
    let rows =
      changes.touchesEveryRow ? "every row" : ProgressBar.count(changes.namedIDs.count, "row")
    console.print(
      "Corrected \(rows) (request \(request.seq), method \(request.method)) in \(ProgressBar.duration(request.seconds ?? 0))"
    )
    for r in request.influence ?? [] {
      var line = String(
        format: "  shard %d              order %d, %@ changed, ‖Δθ‖ = %.4g", r.shard, r.order,
        ProgressBar.count(r.changedRows, "row"), r.parameterChange)
      if let iterations = r.cgIterations, let residual = r.cgRelativeResidual {
        line += String(
          format: ", CG %@ (relative residual %.2g)", ProgressBar.count(iterations, "iteration"),
          residual)
      }
      console.print(line)
    }
    if request.influence == nil {
      console.print("  " + retrained(request.shards ?? []))
    }
    console.print("  model version        \(request.version)")
  }

  /// "a:b,c:d" as pairs of integers, where an id `a` may be a range (`100-120:7` stands for
  /// 21 pairs); a malformed item names the option and the item.
  static func pairs(_ option: String, _ text: String, _ shape: String) throws -> [(UInt64, Int64)] {
    let ids = NumberList(noun: "id")
    var out: [(UInt64, Int64)] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = item.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let value = Int64(parts[1].trimmingCharacters(in: .whitespaces))
      else {
        throw CLIError.usage(
          "invalid value '\(text)' for '--\(option)': '\(item)' is not \(shape)", command: spec)
      }
      do {
        out += try ids.range(parts[0]).map { ($0, value) }
      } catch {
        throw CLIError.usage(
          "invalid value for '--\(option)': \(error.description)", command: spec)
      }
      if out.count > ids.limit {
        throw CLIError.usage(
          "invalid value for '--\(option)': the list holds more than \(ids.limit) ids",
          command: spec)
      }
    }
    return out
  }

  /// "3,7,100-120" as feature indices, sorted, each once.
  static func featureList(_ arguments: ParsedArguments) throws -> [Int]? {
    try arguments.numberList("zero-columns", noun: "feature", maximum: UInt64(Int.max)).map {
      Set($0).map { Int($0) }.sorted()
    }
  }

  /// The ledger's "shard:stage" entries as a sentence: "shard 0 retrained from stage 0",
  /// "shards 1, 4 retrained from stage 0; shard 2 from stage 3", "no shard retrained".
  static func retrained(_ entries: [String]) -> String {
    var byStage: [Int: [Int]] = [:]
    for entry in entries {
      let parts = entry.split(separator: ":").compactMap { Int($0) }
      guard parts.count == 2 else { continue }
      byStage[parts[1], default: []].append(parts[0])
    }
    guard !byStage.isEmpty else { return "no shard retrained" }
    return byStage.keys.sorted().enumerated().map { n, stage in
      let shards = byStage[stage]!.sorted()
      let list =
        (shards.count == 1 ? "shard " : "shards ")
        + shards.map(String.init).joined(separator: ", ")
      return list + (n == 0 ? " retrained" : "") + " from stage \(stage)"
    }.joined(separator: "; ")
  }

  /// One line per shard a newton request updated: what was certified, or that it was exact.
  static func printNewton(_ records: [NewtonRemoval], console: Console) {
    for r in records {
      let time = ProgressBar.duration(r.seconds)
      guard r.kind == "certified", let budget = r.budget, let total = r.residualBounds else {
        console.print(
          "  shard \(r.shard)              \(ProgressBar.count(r.removed, "row")) removed exactly in \(time)"
        )
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
        "  shard \(r.shard)              \(ProgressBar.count(r.removed, "Newton step")) in \(time), \(bound)"
      )
    }
  }

  /// Ids from a file, one per line in the syntax of `--ids` (`3`, `100-120`, `3,17`); blank
  /// lines and `#` comments are skipped. A bad line is bad data (exit 65), named by its number.
  static func readIDs(_ path: String) throws -> [SampleID] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError.data("\(path): no such file")
    }
    var ids: [SampleID] = []
    let list = NumberList(noun: "id")
    for (n, raw) in String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false
    ).enumerated() {
      let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        .trimmingCharacters(in: .whitespaces)
      if line.isEmpty { continue }
      do {
        ids += try list.values(line).map { SampleID($0) }
      } catch {
        throw CLIError.data("\(path):\(n + 1): \(error.description)")
      }
      guard ids.count <= list.limit else {
        throw CLIError.data("\(path): the file holds more than \(list.limit) ids")
      }
    }
    guard !ids.isEmpty else { throw CLIError.data("\(path): no ids in the file") }
    return ids
  }
}
