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

/// A fitted model trained by a convex solver.
public protocol ConvexClassifier: Classifier {
  /// How training ended; nil for a model rebuilt from a file.
  var solverReport: SolverReport? { get }
}
