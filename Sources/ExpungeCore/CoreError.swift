/// Failures of Core's numerical routines that depend on the data, not on the caller's code.
public enum CoreError: Error, Equatable, CustomStringConvertible {
  /// Cholesky found a non-positive pivot at leading minor `failingMinor` of an `order`-sized matrix.
  case notPositiveDefinite(order: Int, failingMinor: Int)
  /// A linear system had an exactly singular matrix.
  case singular(order: Int)

  public var description: String {
    switch self {
    case .notPositiveDefinite(let order, let minor):
      return
        "the \(order)×\(order) matrix is not positive definite (leading minor \(minor) fails); increase the L2 penalty"
    case .singular(let order):
      return "the \(order)×\(order) matrix is singular; increase the L2 penalty"
    }
  }
}
