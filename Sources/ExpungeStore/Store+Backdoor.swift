import ExpungeData
import Foundation

extension Store {
  /// Records the backdoor training planted (as JSON text), for audits to verify.
  public func recordBackdoor(_ text: String) throws { try ledger.setSetting("backdoor", text) }

  /// The backdoor training planted, as recorded, or nil.
  public func backdoorRecord() throws -> String? { try ledger.setting("backdoor") }
}
