import ExpungeData
import Foundation

extension Store {
  /// Records the backdoor training planted, for audits to verify.
  public func recordBackdoor(_ backdoor: Backdoor) throws {
    try ledger.setSetting("backdoor", backdoor.jsonText)
  }

  /// The backdoor training planted, or nil.
  public func backdoor() throws -> Backdoor? {
    try ledger.setting("backdoor").flatMap(Backdoor.init(jsonText:))
  }
}
