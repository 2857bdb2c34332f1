/// Which influence update of Warnecke et al. ("Machine Unlearning of Features and Labels",
/// NDSS 2023) `InfluenceUpdate` applies. With n training rows, Z the changed rows' old values
/// and Z̃ their new ones, both work with the gradient difference on the model's *mean*
/// objective,
///
///     g = ∇L(θ; D̃) − ∇L(θ; D) = (1/n) (Σ_{z̃∈Z̃} ∇ℓ(z̃; θ) − Σ_{z∈Z} ∇ℓ(z; θ))
///
/// (the L2 penalty is the same on D and D̃ and cancels).
public enum InfluenceOrder: Sendable, Equatable {
  /// θ ← θ − τ·g: a gradient step of size τ on the new objective that leaves out the
  /// training residual ∇L(θ; D). The paper writes θ − τ′·(Σ∇ℓ(z̃) − Σ∇ℓ(z)) on a summed loss,
  /// so its τ′ is τ/n; here τ is on the scale of a learning rate and does not depend on n.
  /// A step τ ≤ 1/λ_max(∇²L) never overshoots on a convex objective; τ > 0.
  case first(tau: Double)
  /// θ ← θ − H⁻¹·g′, one Newton step: for the convex models the exact Hessian of L(·; D̃)
  /// and g′ = ∇L(θ; D̃), the whole gradient (a Newton step on the new objective); for the
  /// MLP the damped Hessian of L(·; D), (H + μI), by conjugate gradients on Hessian-vector
  /// products, and g′ = g. See `InfluenceUpdate`.
  case second
}
