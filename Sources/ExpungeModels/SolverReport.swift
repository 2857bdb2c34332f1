/// How a convex model's optimizer ended.
public struct SolverReport: Sendable, Equatable, Codable {
  /// The solver that ran (`newton`, `lbfgs`, `closed-form`, or `pcg`: ridge after rows were
  /// removed, conjugate gradients preconditioned by the downdated factor; see `RidgeState`).
  public var solver: String
  /// Iterations taken (0 for closed form).
  public var iterations: Int
  /// Objective evaluations (each is one or two passes over the data).
  public var evaluations: Int
  /// Final objective value, penalty included.
  public var objective: Double
  /// Final ‖∇L‖₂.
  public var gradientNorm: Double
  /// Whether ‖∇L‖₂ reached the tolerance (false: stopped at the iteration cap).
  public var converged: Bool
  /// Wall time of the solve.
  public var seconds: Double
}

/// The arithmetic of an objective's n × d products (`ConvexObjective.precision`).
///
/// `.single` runs them through sgemm / sgemv on the stored `Float` data with θ rounded to
/// `Float`: the fast path (twice the SIMD lanes of double), whose rounding leaves ‖∇L‖ a
/// floor near 2⁻²⁴ times the gradient's terms. `.double` converts each row block of X to
/// `Double` as it is read and runs dgemm / dgemv with θ as it is: the floor falls by the
/// ratio of the unit roundoffs, 2⁻²⁹ ≈ 2·10⁻⁹.
public enum ProductPrecision: String, Sendable, Codable, CaseIterable {
  case single
  case double
}

/// A fitted model trained by a convex solver.
public protocol ConvexClassifier: Classifier {
  /// How training ended; nil for a model rebuilt from a file.
  var solverReport: SolverReport? { get }
}
