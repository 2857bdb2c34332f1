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
