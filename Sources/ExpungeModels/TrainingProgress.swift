/// One step of training, reported to an observer (the CLI's progress bar, a benchmark, a test).
public struct TrainingProgress: Sendable {
  /// What `completed` and `total` count: "epoch", "iteration" or "batch".
  public var unit: String
  /// Units done so far.
  public var completed: Int
  /// Units planned, or with `totalIsCap` only an upper bound (an iterative solver's cap).
  public var total: Int
  /// Whether `total` is a cap the work may stop well before (an iterative solver stops when
  /// it converges) rather than the amount of work (epochs): then no time left can be told.
  public var totalIsCap: Bool
  /// Objective value (training loss, penalties included where the solver sees them).
  public var loss: Double
  /// Norm of the objective's gradient, for solvers that compute it.
  public var gradientNorm: Double?
  /// Validation accuracy, when a validation set was given and this is an epoch boundary.
  public var validationAccuracy: Double?

  public init(
    unit: String, completed: Int, total: Int, loss: Double, gradientNorm: Double? = nil,
    validationAccuracy: Double? = nil, totalIsCap: Bool = false
  ) {
    self.unit = unit
    self.completed = completed
    self.total = total
    self.totalIsCap = totalIsCap
    self.loss = loss
    self.gradientNorm = gradientNorm
    self.validationAccuracy = validationAccuracy
  }
}

/// Receives training progress. Called on the training thread; keep it cheap.
public typealias TrainingObserver = @Sendable (TrainingProgress) -> Void
