/// How a convex model's optimizer ended.
///
/// Decodes reports written before `stop`, `floor` and `precision` existed: a missing `stop`
/// is read from `converged` (`.converged` or `.iterationLimit`), a missing `precision` as
/// `.single`, a missing `floor` as nil.
public struct SolverReport: Sendable, Equatable, Codable {
  /// The solver that ran (`newton`, `lbfgs`, `closed-form`, or `pcg`: ridge after rows were
  /// removed, conjugate gradients preconditioned by the downdated factor; see `RidgeState`).
  public var solver: String
  /// Iterations taken (0 for closed form), in both precisions together.
  public var iterations: Int
  /// Objective evaluations (each is one or two passes over the data).
  public var evaluations: Int
  /// Final objective value, penalty included.
  public var objective: Double
  /// Final ‖∇L‖ in the norm the tolerance applies to.
  public var gradientNorm: Double
  /// Whether ‖∇L‖ reached the tolerance (`stop == .converged`).
  public var converged: Bool
  /// Wall time of the solve.
  public var seconds: Double
  /// Why the solver stopped.
  public var stop: SolverStop
  /// With `stop == .stagnated`: the smallest ‖∇L‖ the solve reached in `precision` — the
  /// floor below which that arithmetic's rounding hides the gradient on this problem. Nil
  /// otherwise.
  public var floor: Double?
  /// The arithmetic of the data products when the solver stopped: `.single` unless the
  /// single-precision solve stagnated above the tolerance and continued in `.double`.
  public var precision: ProductPrecision

  /// A report; `stop` defaults to what `converged` implies (`.converged` or
  /// `.iterationLimit`).
  public init(
    solver: String, iterations: Int, evaluations: Int, objective: Double, gradientNorm: Double,
    converged: Bool, seconds: Double, stop: SolverStop? = nil, floor: Double? = nil,
    precision: ProductPrecision = .single
  ) {
    self.solver = solver
    self.iterations = iterations
    self.evaluations = evaluations
    self.objective = objective
    self.gradientNorm = gradientNorm
    self.converged = converged
    self.seconds = seconds
    self.stop = stop ?? (converged ? .converged : .iterationLimit)
    self.floor = floor
    self.precision = precision
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      solver: c.decode(String.self, forKey: .solver),
      iterations: c.decode(Int.self, forKey: .iterations),
      evaluations: c.decode(Int.self, forKey: .evaluations),
      objective: c.decode(Double.self, forKey: .objective),
      gradientNorm: c.decode(Double.self, forKey: .gradientNorm),
      converged: c.decode(Bool.self, forKey: .converged),
      seconds: c.decode(Double.self, forKey: .seconds),
      stop: c.decodeIfPresent(SolverStop.self, forKey: .stop),
      floor: c.decodeIfPresent(Double.self, forKey: .floor),
      precision: c.decodeIfPresent(ProductPrecision.self, forKey: .precision) ?? .single)
  }
}

/// Why an iterative solver stopped.
public enum SolverStop: String, Sendable, Codable, CaseIterable {
  /// ‖∇L‖ reached the tolerance.
  case converged
  /// The iteration cap came first.
  case iterationLimit = "iteration-limit"
  /// ‖∇L‖ stopped falling above the tolerance in the most precise arithmetic the objective
  /// has (see `StagnationMonitor`), or no step along the search direction was acceptable:
  /// the tolerance is below the floor that arithmetic resolves (`SolverReport.floor`).
  case stagnated
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
public protocol ConvexClassifier: ParametricClassifier {
  /// How training ended; nil for a model rebuilt from a file.
  var solverReport: SolverReport? { get }
}

/// Hyperparameters of a family whose solver stops on a gradient tolerance: what a
/// `SolverReport` is judged against.
public protocol GradientToleranceSettings {
  /// Stop when the gradient's norm is at most this.
  var tolerance: Double { get }
  /// The norm `tolerance` applies to.
  var toleranceNorm: GradientNorm { get }
}
