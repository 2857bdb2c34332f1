/// The solver options logistic and softmax regression share, declared once.
enum ConvexSolverOptions {
  static let group =
    "SOLVER OPTIONS (--model logistic, softmax; --certified: --tolerance, --max-iter)"

  static func options<Family: ModelFamily & ConvexSolverSettings>(
    of family: Family.Type, defaults: Family
  ) -> [HyperparameterOption] {
    [
      .number(
        "tolerance", help: "Convex models: stop when ‖∇L‖ ≤ x.", of: family,
        default: defaults.tolerance, expected: "a number > 0", where: { $0 > 0 }
      ) { $0.tolerance = $1 },
      .choice(
        "tolerance-norm",
        help: "Convex models: the norm --tolerance applies to: l2, or max (scikit-learn's tol).",
        of: family, default: defaults.toleranceNorm
      ) { $0.toleranceNorm = $1 },
      .integer(
        "max-iter", help: "Convex models: iteration cap.", of: family,
        default: defaults.maxIterations, in: 1...10_000_000
      ) { $0.maxIterations = $1 },
      .choice("solver", help: "Convex models: optimizer.", of: family, default: defaults.solver) {
        $0.solver = $1
      },
    ]
  }
}

/// Settings of the convex solvers, shared by logistic and softmax regression.
protocol ConvexSolverSettings {
  var tolerance: Double { get set }
  var toleranceNorm: GradientNorm { get set }
  var maxIterations: Int { get set }
  var solver: ConvexSolver { get set }
}

extension LogisticRegressionConfig: ConvexSolverSettings {}
extension SoftmaxRegressionConfig: ConvexSolverSettings {}
