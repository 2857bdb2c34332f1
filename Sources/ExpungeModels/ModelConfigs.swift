/// Hyperparameters of each model family: plain values with defaults and no logic
/// (scikit-learn's rule). `fit` validates them.

/// How the convex models are optimized.
public enum ConvexSolver: String, Codable, Sendable, Hashable, CaseIterable {
  /// Newton with the exact Hessian when the parameter count is small (≤ 2 000), else L-BFGS.
  case auto
  /// Newton's method with the exact Hessian, a Cholesky solve and a backtracking line search.
  case newton
  /// Limited-memory BFGS with a Wolfe line search.
  case lbfgs
}

/// How the convex solvers measure the gradient they stop on.
public enum GradientNorm: String, Codable, Sendable, Hashable, CaseIterable {
  /// ‖∇L‖₂, the default: bounds the distance to the optimum, ‖θ − θ*‖ ≤ ‖∇L‖₂/λ.
  case l2
  /// maxᵢ |∂L/∂θᵢ|, scikit-learn's and SciPy's `tol`/`gtol` test (weaker by up to √p).
  case max

  /// The norm of `g`.
  public func of(_ g: [Double]) -> Double {
    switch self {
    case .l2: return g.reduce(0) { $0 + $1 * $1 }.squareRoot()
    case .max: return g.reduce(0) { Swift.max($0, abs($1)) }
    }
  }
}

/// L2-regularized binary logistic regression. Labels must be 0 and 1.
///
///     L(w, b) = (1/n) Σᵢ log(1 + exp(−ỹᵢ (wᵀxᵢ + b))) + (λ/2)‖w‖²,   ỹᵢ = 2yᵢ − 1
public struct LogisticRegressionConfig: Codable, Sendable, Hashable {
  /// λ, the L2 penalty on the weights (not the intercept). Default 1e-4; range ≥ 0.
  public var l2: Double = 1e-4
  /// Stop when ‖∇L‖ ≤ tolerance. Default 1e-6; range > 0.
  public var tolerance: Double = 1e-6
  /// The norm `tolerance` applies to. Default `.l2`.
  public var toleranceNorm: GradientNorm = .l2
  /// Iteration cap. Default 1 000.
  public var maxIterations: Int = 1_000
  /// Learn an unpenalized intercept. Default true.
  public var fitIntercept: Bool = true
  /// Optimizer. Default `.auto`.
  public var solver: ConvexSolver = .auto
  public init() {}
}

/// L2-regularized multinomial (softmax) regression.
///
///     L(W, b) = (1/n) Σᵢ −log softmax(Wxᵢ + b)_{yᵢ} + (λ/2)‖W‖²_F
public struct SoftmaxRegressionConfig: Codable, Sendable, Hashable {
  /// λ, the L2 penalty on the weights (not the intercepts). Default 1e-4; range ≥ 0.
  public var l2: Double = 1e-4
  /// Stop when ‖∇L‖ ≤ tolerance. Default 1e-5; range > 0.
  public var tolerance: Double = 1e-5
  /// The norm `tolerance` applies to. Default `.l2`.
  public var toleranceNorm: GradientNorm = .l2
  /// Iteration cap. Default 1 000.
  public var maxIterations: Int = 1_000
  /// Learn unpenalized intercepts. Default true.
  public var fitIntercept: Bool = true
  /// Optimizer. Default `.auto`.
  public var solver: ConvexSolver = .auto
  public init() {}
}

/// Ridge regression on one-hot targets, used as a classifier (argmax of the K outputs).
///
///     L(W, b) = (1/2n) Σᵢ ‖Wxᵢ + b − onehot(yᵢ)‖² + (λ/2)‖W‖²_F
///
/// Solved in closed form: (XᵀX/n + λI) W = XᵀY/n on centred data, by Cholesky. Training rows
/// can be removed exactly, without a refit, through `RidgeState`.
public struct RidgeConfig: Codable, Sendable, Hashable {
  /// λ. Default 1e-2; range > 0 (so the system is positive definite).
  public var l2: Double = 1e-2
  /// Learn an unpenalized intercept (by centring). Default true.
  public var fitIntercept: Bool = true
  public init() {}
}

/// Hidden-layer nonlinearity of the MLP.
public enum Activation: String, Codable, Sendable, Hashable, CaseIterable {
  case relu, tanh
}

/// Optimizer of the MLP.
public enum OptimizerKind: String, Codable, Sendable, Hashable, CaseIterable {
  /// Adam (Kingma & Ba, 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
  case adam
  /// SGD with (heavy-ball) momentum.
  case sgd
}

/// A multilayer perceptron with softmax cross-entropy, trained by minibatch SGD or Adam.
public struct MLPConfig: Codable, Sendable, Hashable {
  /// Hidden layer widths, input to output. Default [256].
  public var hidden: [Int] = [256]
  /// Hidden nonlinearity. Default `.relu`.
  public var activation: Activation = .relu
  /// Passes over the training data. Default 10.
  public var epochs: Int = 10
  /// Rows per minibatch. Default 128.
  public var batchSize: Int = 128
  /// Step size. Default 1e-3 (Adam); use ~0.05 for SGD.
  public var learningRate: Double = 1e-3
  /// Optimizer. Default `.adam`.
  public var optimizer: OptimizerKind = .adam
  /// SGD momentum. Default 0.9; range [0, 1).
  public var momentum: Double = 0.9
  /// L2 weight decay on weights (not biases), added to the gradient as λw. Default 0.
  public var weightDecay: Double = 0
  /// Seed of the initialization and of the minibatch shuffles.
  public var seed: UInt64 = 0
  public init() {}
}

/// Logistic regression trained for certified removal (Guo et al., "Certified Data Removal
/// from Machine Learning Models", ICML 2020): binary for two classes, one-vs-rest for more.
/// Each of the m binary models (m = 1 or K) minimizes, over the training rows x̂ᵢ = xᵢ/‖xᵢ‖,
///
///     L_b(w) = Σᵢ log(1 + exp(−ỹᵢ wᵀx̂ᵢ)) + (Λ/2)‖w‖² + bᵀw,   b ~ N(0, σ² I)
///
/// with no intercept (the theory needs ‖x̂‖ ≤ 1 and a loss of the weights alone). The total
/// penalty Λ = λ·n₀ is fixed at the first training (n₀ rows) and kept by removals and
/// retrains, so taking a row out changes the Hessian by one rank-1 term. The ε and δ budget
/// is split evenly over the m models (basic composition).
public struct CertifiedLogisticConfig: Codable, Sendable, Hashable {
  /// λ, the penalty per training row; Λ = λ·n₀. Default 1e-3; range > 0.
  public var l2: Double = 1e-3
  /// Λ once fixed by the first training (nil before).
  public var totalPenalty: Double?
  /// ε of the (ε, δ) certificate for the whole model. Default 1; range > 0.
  public var epsilon: Double = 1
  /// δ of the certificate. Default 1e-4; range (0, 1).
  public var delta: Double = 1e-4
  /// σ, the deviation of the loss perturbation b. Default 1; range > 0.
  public var sigma: Double = 1
  /// Seeds b (each model's own stream); a retrain after the budget is spent draws a new one.
  public var perturbationSeed: UInt64 = 0
  /// Stop training when ‖∇L_b‖₂ (the summed objective's; for one-vs-rest, of all models'
  /// gradients together) ≤ tolerance; what is left counts against the removal budget.
  /// Default 1e-6; range > 0. The gradient is computed in double precision, so far smaller
  /// values are reachable, and near the optimum a further decade costs training few passes
  /// over the data.
  public var tolerance: Double = 1e-6
  /// Iteration cap. Default 200.
  public var maxIterations: Int = 200
  public init() {}
}
