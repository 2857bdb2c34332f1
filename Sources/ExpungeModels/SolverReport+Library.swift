import Foundation

/// How training ended, reachable from any fitted model — so a library user learns that a
/// solver stopped unconverged without reading the CLI's summary.
extension SolverReport: CustomStringConvertible {
  /// One sentence, e.g. "lbfgs stopped at its iteration limit after 100 iterations with
  /// ‖∇L‖ = 3.1e-03: not converged (raise the iteration cap)".
  public var description: String {
    let norm = "‖∇L‖ = " + String(format: "%.2e", gradientNorm)
    let arithmetic = precision == .double ? " in double precision" : ""
    switch stop {
    case .converged:
      return "\(solver) converged in \(iterations) iterations\(arithmetic) with \(norm)"
    case .iterationLimit:
      return
        "\(solver) stopped at its iteration limit after \(iterations) iterations\(arithmetic) with \(norm): not converged (raise the iteration cap)"
    case .stagnated:
      return
        "\(solver) stagnated after \(iterations) iterations with \(norm), the floor of \(precision.rawValue)-precision products: not converged (the tolerance is below it)"
    }
  }
}

extension Classifier {
  /// How training ended, for a model a convex solver fitted in this process; nil for other
  /// families (MLP epochs have no convergence test) and for models loaded from files.
  /// `report.converged` is false when the solver stopped at its cap or stagnated.
  public var solverReport: SolverReport? { (self as? any ConvexClassifier)?.solverReport }
}
