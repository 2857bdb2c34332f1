import ExpungeStore
import Foundation

/// `expunge log`: the store's ledger of deletion requests.
enum LogCommand: Command {
  static let spec = CommandSpec(
    name: "log",
    abstract: "Show a store's ledger of deletion and correction requests.",
    discussion:
      "Each request is chained to the one before it by a SHA-256 hash, so --verify detects an edited, removed or inserted record. The ledger holds sample ids and row hashes, never the rows. --verify also compares the numeric environment recorded with the store, its shards and its requests (Expunge version, OpenBLAS build and kernel family, C library, CPU architecture) with this machine's: where they differ, models trained here are not expected to equal the store's bit for bit. That is a warning, not a verification failure.",
    options: [
      OptionSpec(
        name: "store", valueName: "dir", help: "Store made by 'expunge train --store'.",
        isRequired: true),
      .flag(
        "verify",
        "Check the hash chain (exit 65 if it is broken) and compare the store's numeric environment with this machine's (a difference is a warning: exit 0)."
      ),
    ],
    examples: [
      "expunge log --store runs/fm", "expunge log --store runs/fm --verify",
      "expunge log --store runs/fm --json",
    ], jsonHelp: "Print the requests as one JSON document on stdout.")

  struct Result: Encodable {
    var store: String
    var version: Int
    /// The permanent rows of the store's shared base (`train --permanent-ids`), if any.
    var permanent: PermanentRecord?
    var requests: [LedgerRequest]
    var verified: Bool?
    var problems: [String]?
    /// With --verify: the recorded numeric environments against this machine's.
    var environment: EnvironmentCheck?
  }

  /// A line under a request that did more than retrain: the certificate's state after a
  /// newton request, what a correction changed.
  static func detail(_ r: LedgerRequest) -> String? {
    var parts: [String] = []
    for n in r.newton ?? [] {
      if n.retrained == true {
        parts.append("shard \(n.shard): budget spent, retrained")
      } else if let bound = n.residualBounds?.max(), let budget = n.budget {
        parts.append(
          String(format: "shard %d: residual bound %.3g of %.3g", n.shard, bound, budget))
      } else {
        parts.append("shard \(n.shard): removed exactly")
      }
    }
    if let changes = r.changes?.changes {
      var what: [String] = []
      if !changes.relabel.isEmpty { what.append("\(changes.relabel.count) relabelled") }
      if !changes.zeroFeatures.isEmpty {
        what.append("\(changes.zeroFeatures.count) value(s) zeroed")
      }
      if !changes.zeroColumns.isEmpty {
        what.append("\(changes.zeroColumns.count) feature(s) zeroed in every row")
      }
      if let order = r.changes?.order { what.append("influence order \(order)") }
      parts.append("corrected: " + what.joined(separator: ", "))
    }
    return parts.isEmpty ? nil : parts.joined(separator: "; ")
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let store = try Store.open(URL(fileURLWithPath: arguments.required("store")))
    let requests = try store.requests()
    let problems = arguments.flag("verify") ? try store.verifyLog() : nil
    let environment =
      arguments.flag("verify") ? EnvironmentCheck(try store.recordedEnvironments()) : nil
    if arguments.flag("json") {
      console.print(
        try JSONOutput.encode(
          Result(
            store: store.directory.path, version: try store.currentVersion(),
            permanent: try store.permanentRecord(), requests: requests,
            verified: problems.map(\.isEmpty), problems: problems,
            environment: environment)))
    } else {
      console.print(
        "Store \(store.directory.path): model version \(try store.currentVersion()), \(requests.count) request(s)"
          + (try store.permanentRecord().map {
            ", a shared base on \(ProgressBar.count($0.rows, "permanent row"))"
          }
            ?? "")
      )
      func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
      }
      if !requests.isEmpty {
        console.print(
          "  seq  " + pad("completed", 25) + "  ids  " + pad("method", 11)
            + pad("shards (from stage)", 21) + "seconds  version")
      }
      for r in requests {
        let shards = (r.shards ?? []).isEmpty ? "-" : r.shards!.joined(separator: " ")
        console.print(
          String(format: "  %3d  ", r.seq) + pad(r.completed ?? r.state, 25)
            + String(format: "%5d  ", r.ids.count) + pad(r.method, 11) + pad(shards, 21)
            + String(format: "%7.2f  %7d", r.seconds ?? 0, r.version))
        if let note = detail(r) { console.print("       " + note) }
      }
      if let problems, problems.isEmpty {
        console.print("Ledger verified: the hash chain of \(requests.count) request(s) holds.")
      }
      for line in environment?.lines ?? [] { console.print(line) }
    }
    if let problems, !problems.isEmpty {
      throw CLIError.data(
        "\(store.directory.path): the ledger fails verification: \(problems.joined(separator: "; "))"
      )
    }
  }
}
