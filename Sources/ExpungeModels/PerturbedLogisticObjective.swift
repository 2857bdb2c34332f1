import ExpungeCore
import ExpungeData

/// One binary model of certified logistic regression, as a `ConvexObjective` the solvers can
/// minimize: the summed objective of `CertifiedLogisticConfig` divided by n,
///
///     L_b(w)/n = (1/n) Σᵢ log(1 + exp(−ỹᵢ wᵀxᵢ)) + (Λ/n)/2 ‖w‖² + (b/n)ᵀw,
///
/// which has the same minimizer. No intercept; rows must already have ‖x‖ ≤ 1.
public struct PerturbedLogisticObjective: ConvexObjective {
  /// The unperturbed part, with λ = Λ/n.
  public let base: LogisticObjective
  /// b, the perturbation (summed-objective scale).
  public let perturbation: [Double]

  public init(data: Dataset, totalPenalty: Double, perturbation: [Double]) {
    precondition(perturbation.count == data.featureCount, "one perturbation entry per feature")
    base = LogisticObjective(
      data: data, l2: totalPenalty / Double(max(data.count, 1)), fitIntercept: false)
    self.perturbation = perturbation
  }

  private init(base: LogisticObjective, perturbation: [Double]) {
    self.base = base
    self.perturbation = perturbation
  }

  public var parameterCount: Int { base.parameterCount }
  public var l2: Double { base.l2 }
  public var precision: ProductPrecision { base.precision }

  /// The same objective over `base.withPrecision(precision)`; b is added in `Double` either way.
  public func withPrecision(_ precision: ProductPrecision) -> (any ConvexObjective)? {
    PerturbedLogisticObjective(
      base: LogisticObjective(
        data: base.data, l2: base.l2, fitIntercept: base.fitIntercept, precision: precision),
      perturbation: perturbation)
  }

  var n: Double { Double(max(base.data.count, 1)) }

  public func valueAndGradient(_ theta: [Double], rowWeights: [Float]?) -> (
    value: Double, gradient: [Double]
  ) {
    precondition(rowWeights == nil, "the perturbed objective takes no row weights")
    var (value, gradient) = base.valueAndGradient(theta, rowWeights: nil)
    for j in 0..<theta.count {
      value += perturbation[j] * theta[j] / n
      gradient[j] += perturbation[j] / n
    }
    return (value, gradient)
  }

  public func hessian(_ theta: [Double], rowWeights: [Float]?) -> [Double] {
    base.hessian(theta, rowWeights: rowWeights)
  }

  public func hessianVectorProduct(_ theta: [Double], _ v: [Double], rowWeights: [Float]?)
    -> [Double]
  {
    base.hessianVectorProduct(theta, v, rowWeights: rowWeights)
  }

  public func perSampleLosses(_ theta: [Double]) -> [Double] { base.perSampleLosses(theta) }
}
