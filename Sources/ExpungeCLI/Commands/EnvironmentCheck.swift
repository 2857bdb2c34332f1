import ExpungeCore
import ExpungeModels
import ExpungeStore
import Foundation

/// How the numeric environments recorded with a store compare with this machine's, for
/// `expunge log --verify`: what it prints, and what `--json` carries.
///
/// A difference is a warning, never a verification failure: the ledger's chain does not
/// depend on it, but models trained here are not expected to equal the store's bit for bit.
struct EnvironmentCheck: Encodable {
  /// One environment the store recorded and what it computed.
  struct Recorded: Encodable {
    var environment: NumericEnvironment
    var store: Bool
    var shards: [Int]
    var requests: [Int]
    /// This machine's environment against it (`NumericEnvironment.differences(from:)`).
    var differences: [String]
  }

  var here: NumericEnvironment
  var recorded: [Recorded]
  /// Whether something was recorded and all of it equals this machine's environment.
  var sameAsHere: Bool

  init(_ records: [EnvironmentRecord], here: NumericEnvironment = .current) {
    self.here = here
    recorded = records.map {
      Recorded(
        environment: $0.environment, store: $0.store, shards: $0.shards, requests: $0.requests,
        differences: here.differences(from: $0.environment))
    }
    sameAsHere = !recorded.isEmpty && recorded.allSatisfy(\.differences.isEmpty)
  }

  /// The text `log --verify` prints.
  var lines: [String] {
    guard !recorded.isEmpty else {
      return [
        "Numeric environment: not recorded (the store predates it), so nothing says whether models trained here can equal the store's bit for bit."
      ]
    }
    var out = recorded.map { "Numeric environment of \(name($0)): \($0.environment)" }
    if sameAsHere {
      out.append(
        "This machine's numeric environment is the same: models trained here are expected to equal the store's bit for bit."
      )
    }
    let one = recorded.count == 1
    for r in recorded where !r.differences.isEmpty {
      out.append(
        "Warning: this machine's numeric environment differs from \(one ? "the store's" : "that of \(name(r))"): \(r.differences.joined(separator: "; ")). Models trained here are not expected to equal \(one ? "the store's" : "those computed there") bit for bit (a warning, not a verification failure)."
      )
    }
    return out
  }

  /// "the store" when it recorded one environment; else what each computed: "the store's
  /// creation, shards 0, 1, request 3".
  private func name(_ r: Recorded) -> String {
    guard recorded.count > 1 else { return "the store" }
    var parts: [String] = []
    if r.store { parts.append("the store's creation") }
    if !r.shards.isEmpty {
      parts.append(
        (r.shards.count == 1 ? "shard " : "shards ")
          + r.shards.map(String.init).joined(separator: ", "))
    }
    if !r.requests.isEmpty {
      parts.append(
        (r.requests.count == 1 ? "request " : "requests ")
          + r.requests.map(String.init).joined(separator: ", "))
    }
    return parts.joined(separator: ", ")
  }

  /// A line for stderr when the model in `directory` records another environment than this
  /// machine's (nil when it records the same or none): its scores here may differ in the
  /// last bits from scores computed where it was trained.
  static func note(
    for metadata: ModelMetadata, in directory: URL, here: NumericEnvironment = .current
  )
    -> String?
  {
    guard let recorded = metadata.environment else { return nil }
    let differences = here.differences(from: recorded)
    guard !differences.isEmpty else { return nil }
    return
      "Note: this machine's numeric environment differs from the one that trained \(directory.path): \(differences.joined(separator: "; ")). Scores computed here may differ from scores computed there in the last bits."
  }
}
