import Foundation

/// `localizedDescription` and `LocalizedError` consumers (an app's alert, `print(error)`
/// through Foundation) show the same sentence as `description`.
extension StoreError: LocalizedError {
  public var errorDescription: String? { description }
}
