/// The backtracking line search Newton and L-BFGS share, and when a step is good enough.
///
/// The Armijo condition L(θ + αd) ≤ L(θ) + 10⁻⁴·α·∇Lᵀd, or — once the decrease is too small
/// for the objective's single-precision rounding to show — Hager & Zhang's approximate Wolfe
/// conditions (SIAM J. Optim. 16, 2005, §4), which judge the step by the directional
/// derivative φ′(α) = ∇L(θ + αd)ᵀd, still accurate where values are not:
///
///     L(θ + αd) ≤ L(θ) + 10⁻⁶·|L(θ)|   and   0.9·φ′(0) ≤ φ′(α) ≤ −0.8·φ′(0)
///
/// Without the second test both solvers stall near the optimum at ‖∇L‖ ≈ 10⁻⁴ on
/// Fashion-MNIST, every trial step rejected for a rounding-level increase.
func acceptsStep(
  value: Double, slope: Double, step: Double, trialValue: Double, trialGradient: [Double],
  direction: [Double]
) -> Bool {
  guard trialValue.isFinite else { return false }
  if trialValue <= value + 1e-4 * step * slope { return true }
  let trialSlope = dot(trialGradient, direction)
  return trialValue <= value + 1e-6 * abs(value)
    && trialSlope <= -0.8 * slope && trialSlope >= 0.9 * slope
}

/// Backtracks from step 1 along `direction`, halving up to 40 times, until `acceptsStep`
/// holds. Returns the accepted point and its value and gradient, and the evaluations used
/// (the point is nil when no step is acceptable at this precision: the solver is done).
public func backtrackingLineSearch(
  from theta: [Double], value: Double, gradient: [Double], direction: [Double],
  evaluate: ([Double]) -> (value: Double, gradient: [Double])
) -> (point: (theta: [Double], value: Double, gradient: [Double])?, evaluations: Int) {
  let slope = dot(gradient, direction)
  var step = 1.0
  var next = theta
  for attempt in 1...40 {
    for i in 0..<theta.count { next[i] = theta[i] + step * direction[i] }
    let trial = evaluate(next)
    if acceptsStep(
      value: value, slope: slope, step: step, trialValue: trial.value,
      trialGradient: trial.gradient, direction: direction)
    {
      return ((next, trial.value, trial.gradient), attempt)
    }
    step *= 0.5
  }
  return (nil, 40)
}

/// Tells an iterative solver when it has reached the floor of its arithmetic — the smallest
/// ‖∇L‖ the rounding of the objective's products lets it resolve — and keeps the iterate with
/// the smallest ‖∇L‖, which the solver returns when it stops there.
///
/// An iteration makes progress when it takes ‖∇L‖ below `factor` times the reference r (the
/// norm at the last progress, initially the starting norm), or lowers the objective by more
/// than `valueSlack`·|L| below the value at r. After `window` iterations in a row without
/// progress the solve has stalled, and the floor test decides:
///
///     progress  ⇔  ‖∇L_k‖ ≤ factor·r   or   L_k < L_r − valueSlack·|L_r|
///     at floor  ⇔  stalled   and   min_k ‖∇L_k‖ ≤ margin·e(θ_best)
///
/// where e(θ) is the rounding error of the computed gradient at θ (`roundingError`). A stall
/// far above e is a slow stretch (L-BFGS's gradient norm often wanders for dozens of
/// iterations while the objective falls by less than any slack that stays above rounding),
/// and the window starts again. Without `roundingError` a stall counts as the floor.
///
/// The objective clause keeps Newton's damped phase, where ‖∇L‖ may rise while L falls, from
/// stalling; the slack lies above the rounding of a single-precision loss (a few 10⁻⁷
/// relative), so an iterate that wanders at the floor does not pass for progress.
struct StagnationMonitor {
  /// Iterations without progress that make a stall (≥ 1).
  let window: Int
  /// The share of r a norm must reach to be progress, in (0, 1).
  let factor: Double
  /// The relative decrease of L that is progress.
  let valueSlack: Double
  /// How many times e(θ) ‖∇L‖ may be and still count as the floor.
  let margin: Double
  /// e(θ, g): the error of the computed gradient g at θ, in the tolerance's norm.
  let roundingError: (([Double], [Double]) -> Double)?

  /// The recorded iterate with the smallest ‖∇L‖.
  private(set) var best: (theta: [Double], value: Double, gradient: [Double], norm: Double)?
  private var reference = (norm: Double.infinity, value: Double.infinity)
  private var withoutProgress = 0

  /// - Parameters:
  ///   - window: iterations without progress that make a stall (≥ 1).
  ///   - factor: the share of r a norm must reach to be progress, in (0, 1); default 1/2.
  ///   - valueSlack: the relative decrease of L that is progress; default 10⁻⁶, the increase
  ///     `acceptsStep` lets pass as rounding.
  ///   - margin: ‖∇L‖ ≤ margin·e counts as the floor; default 4.
  ///   - roundingError: e(θ, g), or nil to take every stall for the floor.
  init(
    window: Int, factor: Double = 0.5, valueSlack: Double = 1e-6, margin: Double = 4,
    roundingError: (([Double], [Double]) -> Double)?
  ) {
    precondition(window >= 1, "StagnationMonitor: window is \(window), expected ≥ 1")
    precondition(factor > 0 && factor < 1, "StagnationMonitor: factor is \(factor), not in (0, 1)")
    self.window = window
    self.factor = factor
    self.valueSlack = valueSlack
    self.margin = margin
    self.roundingError = roundingError
  }

  /// Records an iterate (the start first); returns whether the solve is now at the floor.
  /// - Complexity: O(p), plus one `roundingError` call at each stall.
  mutating func reachedFloor(
    _ theta: [Double], value: Double, gradient: [Double], norm: Double
  ) -> Bool {
    if norm < best?.norm ?? .infinity { best = (theta, value, gradient, norm) }
    if norm <= factor * reference.norm
      || value < reference.value - valueSlack * abs(reference.value)
      || reference.norm == .infinity
    {
      reference = (norm, value)
      withoutProgress = 0
      return false
    }
    withoutProgress += 1
    guard withoutProgress >= window else { return false }
    guard let roundingError, let best else { return true }
    if best.norm <= margin * roundingError(best.theta, best.gradient) { return true }
    withoutProgress = 0
    return false
  }
}
