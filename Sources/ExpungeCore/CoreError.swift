/// Failures of Core's numerical routines that depend on the data, not on the caller's code.
public enum CoreError: Error, Equatable, CustomStringConvertible {
  /// Cholesky found a non-positive pivot at leading minor `failingMinor` of an `order`-sized matrix.
  case notPositiveDefinite(order: Int, failingMinor: Int)
  /// A linear system had an exactly singular matrix.
  case singular(order: Int)
  /// A Cholesky downdate `A − x·xᵀ` would not be positive definite: for vector `vector`
  /// (0-based) of the batch, `margin = 1 − ‖L⁻¹x‖²` was ≤ 0. The factor is left unchanged.
  case downdateNotPositiveDefinite(order: Int, vector: Int, margin: Double)
  /// A vector of a Cholesky update or downdate had a NaN or infinite entry. The factor is left
  /// unchanged.
  case nonFiniteVector(order: Int, vector: Int)

  public var description: String {
    switch self {
    case .notPositiveDefinite(let order, let minor):
      return
        "the \(order)×\(order) matrix is not positive definite (leading minor \(minor) fails); increase the L2 penalty"
    case .singular(let order):
      return "the \(order)×\(order) matrix is singular; increase the L2 penalty"
    case .downdateNotPositiveDefinite(let order, let vector, let margin):
      return
        "downdating the \(order)×\(order) Cholesky factor by vector \(vector) would leave a matrix that is not positive definite (1 − ‖L⁻¹x‖² = \(margin)); the factor is unchanged"
    case .nonFiniteVector(let order, let vector):
      return
        "vector \(vector) of the update of the \(order)×\(order) Cholesky factor has a NaN or infinite entry; the factor is unchanged"
    }
  }
}
