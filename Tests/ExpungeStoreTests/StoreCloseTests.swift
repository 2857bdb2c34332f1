import ExpungeData
import ExpungeStore
import ExpungeUnlearning
import Foundation
import Testing

/// A store opened, closed and opened again in one process; two at once refused.
@Suite("Store: close and reopen")
struct StoreCloseTests {
  @Test func aClosedStoreOpensAgainAndTwoOpenAtOnceAreRefused() throws {
    let directory = StoreTests.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    let created = try Store.create(
      at: directory, data: StoreTests.data, configuration: StoreTests.mlp, sisa: StoreTests.sisa,
      classNames: nil)
    // Held by `created`: a second open in this process is refused, and says whose it is.
    do {
      _ = try Store.open(directory)
      Issue.record("a second open of an open store succeeded")
    } catch let error as StoreError {
      guard case .locked(_, let holder) = error else {
        Issue.record("expected .locked, got \(error)")
        return
      }
      #expect(holder.contains("this process"), "\(holder)")
    }
    created.close()
    #expect(created.isClosed)
    created.close()  // idempotent

    let reopened = try Store.open(directory)
    #expect(try reopened.currentVersion() == 1)
    _ = try reopened.forget([StoreTests.data.ids[0]], method: .sisa)
    reopened.close()

    // Released without close(): the lock goes with the object.
    func versionAfterOpening() throws -> Int { try Store.open(directory).currentVersion() }
    #expect(try versionAfterOpening() == 2)
    let third = try Store.open(directory)
    defer { third.close() }
    #expect(try third.sampleIDs(forgotten: true) == [StoreTests.data.ids[0]])
  }
}
