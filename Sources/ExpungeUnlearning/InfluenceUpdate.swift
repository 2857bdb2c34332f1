import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// Feature and label unlearning by influence updates (Warnecke et al., "Machine Unlearning
/// of Features and Labels", NDSS 2023): a model θ trained on D, some of whose rows Z have
/// since changed into Z̃ (same ids, new labels or feature values), is moved close to the
/// model that training on the corrected data D̃ would give, without retraining.
///
/// Every model minimizes a mean objective over its n training rows,
///
///     L(θ; D) = (1/n) Σ_{z∈D} ℓ(z; θ) + (λ/2)‖w‖²,
///
/// so L(θ; D̃) = L(θ; D) + (1/n)(Σ_{Z̃} ℓ − Σ_Z ℓ), and with the training residual
/// r = ∇L(θ; D) (≈ 0, the solver's tolerance) and Δ = Σ_{Z̃}∇ℓ(z̃; θ) − Σ_Z∇ℓ(z; θ):
///
///     ∇L(θ; D̃) = r + Δ/n.
///
/// **First order** (`.first(tau:)`): θ⁺ = θ − τ·Δ/n (see `InfluenceOrder` for τ's scale).
///
/// **Second order, convex models** (binary `LogisticRegression`, `SoftmaxRegression`): one
/// exact Newton step on the new objective,
///
///     θ⁺ = θ − H̃⁻¹ ∇L(θ; D̃) = θ − H̃⁻¹(Δ/n) − H̃⁻¹ r,   H̃ = ∇²L(θ; D̃).
///
/// The first term is the paper's H⁻¹Δ with the summed loss's Hessian (n·H̃); the second
/// removes what training left, ‖H̃⁻¹r‖ ≤ ‖r‖/λ. The paper takes H on D; taking it on D̃
/// makes the step Newton's, so the distance to the retrained optimum θ̃* shrinks
/// quadratically, ‖θ⁺ − θ̃*‖ = O(‖θ − θ̃*‖²): a large change (many flipped labels on a
/// confident model) leaves more of the distance than a small one. H̃ is formed exactly and
/// factored by Cholesky when p ≤ `Settings.exactHessianLimit`, retrying with H̃ + sI (s from
/// 10⁻¹⁰·max diag, ×10, the Newton solver's rule) if it is not definite; beyond the limit,
/// conjugate gradients on the objective's exact Hessian-vector products. With λ = 0 softmax
/// is flat along "the same vector added to every class's weights" (its intercepts' flat
/// direction is pinned in `SoftmaxObjective` itself): the gradient and the step are
/// projected off it, where rounding divided by a zero eigenvalue would otherwise move θ far
/// for nothing. Far from θ̃* the full step can overshoot; an Armijo backtracking search on
/// L(·; D̃) (the solvers' `backtrackingLineSearch`) keeps the full step whenever it lowers
/// the objective, as it does near θ̃*, and shortens it otherwise (`Report.stepLength`).
///
/// **Second order, MLP**: θ⁺ = θ − v with (H + μI)·v = Δ/n, H = ∇²L(θ; D) the Hessian of the
/// mean objective on the data the model was trained on (the paper's H_θ*, weight decay
/// included; D is D̃ with the changed rows put back), applied by `MLP.hessianVectorProduct`
/// (Pearlmutter's R-operator) and inverted by conjugate gradients. θ is near a minimum of
/// L(·; D), so H is nearly positive semidefinite there, while ∇²L(θ; D̃) is not taken at a
/// minimum and has larger negative eigenvalues (with it, CG met negative curvature within
/// six iterations on the test network). The damping μ (`Settings.damping`, default 0.01)
/// covers the small negative eigenvalues left and bounds the step, ‖v‖ ≤ ‖Δ/n‖/(λ_min + μ);
/// μ → ∞ tends to first order with τ = 1/μ. CG stops at `Settings.conjugateGradient`'s
/// tolerance or cap, or keeps its iterate on meeting negative curvature; the report gives
/// its iterations and the true relative residual ‖Δ/n − (H + μI)v‖/‖Δ/n‖ (one more
/// product). The residual r is left out here: Adam leaves a noisy one, and a Newton step on
/// it would chase the noise.
///
/// The update works on the model alone and returns a new instance of the same type; it reads
/// D̃ (`training`) for the Hessian and the gradient norms, and the changed rows' old and new
/// values (`ChangedRows`, from `RowChanges.apply(to:)` or built directly).
public enum InfluenceUpdate {
  /// How second-order updates solve with the Hessian.
  public struct Settings: Sendable, Equatable, Codable {
    /// μ ≥ 0, added to the MLP's Hessian. Default 0.01: above the magnitude of the negative
    /// eigenvalues a near-converged small network shows, small against its leading ones.
    /// The convex models are solved undamped.
    public var damping: Double = 0.01
    /// The conjugate-gradient iteration for the MLP and large convex models. Default 100
    /// iterations, relative residual 1e-5.
    public var conjugateGradient = ConjugateGradient()
    /// The largest parameter count p for which a convex model's Hessian is formed and
    /// factored (O(n·p²) + p³/3 flops, 8p² bytes); above it, conjugate gradients. Default
    /// 2 000, the convex solvers' own Newton limit.
    public var exactHessianLimit = 2_000

    public init() {}
  }

  /// What one update did.
  public struct Report: Sendable, Equatable, Codable {
    /// 1 or 2.
    public var order: Int
    /// τ of a first-order update.
    public var tau: Double?
    /// |Z|, the rows whose values changed.
    public var rowsChanged: Int
    /// n, the rows of D̃.
    public var trainingRows: Int
    /// ‖θ⁺ − θ‖₂ over the stored (single-precision) parameters.
    public var parameterChange: Double
    /// ‖∇L(θ; D̃)‖₂ of the new objective before the update.
    public var gradientNormBefore: Double
    /// ‖∇L(θ⁺; D̃)‖₂ after it.
    public var gradientNormAfter: Double
    /// How H⁻¹ was applied: "none" (first order), "cholesky" or "conjugate-gradient".
    public var hessianSolve: String
    /// s added to the convex Hessian's diagonal to factor it (0 when it was definite).
    public var hessianShift: Double?
    /// The fraction of the convex Newton step taken: 1 unless backtracking shortened it.
    public var stepLength: Double?
    /// μ of the MLP's damped Hessian.
    public var damping: Double?
    /// Hessian-vector products conjugate gradients took.
    public var cgIterations: Int?
    /// ‖b − A·x‖/‖b‖ of the conjugate-gradient solution, recomputed with one more product.
    public var cgRelativeResidual: Double?
    /// Why conjugate gradients stopped.
    public var cgStop: ConjugateGradient.Stop?
    /// Wall time of the update, validation included.
    public var seconds: Double
  }

  /// The influence update of `model`, trained on D, for the rows `changes` that turned D
  /// into `newData` (D̃: every row, with the changed rows' new values).
  /// - Parameters:
  ///   - model: a binary `LogisticRegression`, a `SoftmaxRegression` or an `MLP`.
  ///   - changes: the changed rows' old and new values (same ids); may be empty.
  ///   - newData: D̃; its row for each changed id must equal that row's new value.
  ///   - order: first (with τ > 0) or second.
  ///   - settings: how second-order updates solve (ignored by first order).
  /// - Returns: a new model of the same type and configuration, and what was done.
  /// - Throws: `UnlearningError.unsupportedModel` (ridge, certified-logistic),
  ///   `.invalidSetting` (τ ≤ 0, bad settings), `.unknownIDs` (changed ids not in D̃),
  ///   `.labelOutOfRange`, `.inconsistentChange`, `.hessianSolveFailed`;
  ///   `DataError.widthMismatch` or `.invalid` for data of the wrong width or not finite.
  /// - Complexity: first order, O(|Z|·p) plus two gradients on D̃ for the report; second
  ///   order, O(n·p² + p³) (convex, exact) or one Hessian-vector product over all n rows per
  ///   CG iteration (≈ 2.5 gradients for the MLP), plus a few objective evaluations for the
  ///   convex line search.
  public static func apply(
    to model: any Classifier, changes: ChangedRows, training newData: Dataset,
    order: InfluenceOrder, settings: Settings = .init()
  ) throws -> (model: any Classifier, report: Report) {
    let clock = Date()
    try validate(model.kind, order: order, settings: settings)
    let positions = try validate(changes, newData: newData, for: model)
    var report = Report(
      order: 1, rowsChanged: changes.count, trainingRows: newData.count, parameterChange: 0,
      gradientNormBefore: 0, gradientNormAfter: 0, hessianSolve: "none", seconds: 0)
    if case .first(let tau) = order { report.tau = tau } else { report.order = 2 }

    let theta: [Double]
    let updated: any ParametricClassifier
    /// A convex model's update: `objective` on D̃, `changed(rows)` the unpenalized
    /// objective over some changed rows.
    func convex(
      _ fitted: any ParametricClassifier, _ theta: [Double], _ objective: any ConvexObjective,
      changed: (Dataset) -> any ConvexObjective, removeFlat: (inout [Double]) -> Void
    ) throws -> (theta: [Double], model: any ParametricClassifier) {
      let stepped = try convexStep(
        theta, objective: objective, old: changed(changes.old), new: changed(changes.new),
        removeFlat: removeFlat, order: order, settings: settings, report: &report)
      let model = try rebuilt(fitted, stepped)
      report.gradientNormAfter = norm(objective.gradient(storedTheta(model)))
      return (stepped, model)
    }
    switch model {
    case let logistic as LogisticRegression:
      (theta, updated) = try convex(
        logistic, logistic.theta, logistic.objective(on: newData),
        changed: {
          LogisticObjective(data: $0, l2: 0, fitIntercept: logistic.config.fitIntercept)
        }, removeFlat: { _ in })
    case let softmax as SoftmaxRegression:
      (theta, updated) = try convex(
        softmax, softmax.theta, softmax.objective(on: newData),
        changed: {
          SoftmaxObjective(
            data: $0, classCount: softmax.classCount, l2: 0,
            fitIntercept: softmax.config.fitIntercept)
        }, removeFlat: softmaxFlatRemoval(softmax))
    case let mlp as MLP:
      theta = try mlpStep(
        mlp, changes: changes, newData: newData, positions: positions, order: order,
        settings: settings, report: &report)
      let network = try rebuilt(mlp, theta)
      updated = network
      report.gradientNormAfter = norm(
        network.gradient(
          newData.features, labels: newData.labels, weightDecay: mlp.config.weightDecay))
    default:
      throw UnlearningError.unsupportedModel(
        kind: model.kind, method: "influence updates",
        reason: "expected a LogisticRegression, SoftmaxRegression or MLP instance")
    }
    report.parameterChange = updated.parameters.distance(
      to: (model as? any ParametricModel)?.parameters ?? updated.parameters)
    report.seconds = Date().timeIntervalSince(clock)
    return (updated, report)
  }

  // MARK: Convex models

  /// θ⁺ in double precision for a convex model; `old` and `new` are unpenalized objectives
  /// over the changed rows' old and new values, `removeFlat` takes a vector's component
  /// along the objective's flat directions out.
  static func convexStep(
    _ theta: [Double], objective: any ConvexObjective, old: any ConvexObjective,
    new: any ConvexObjective, removeFlat: (inout [Double]) -> Void, order: InfluenceOrder,
    settings: Settings, report: inout Report
  ) throws -> [Double] {
    let (value, full) = objective.valueAndGradient(theta, rowWeights: nil)
    report.gradientNormBefore = norm(full)
    switch order {
    case .first(let tau):
      // Each changed-rows objective is a mean over |Z| rows: ×|Z|/n turns it into Σ∇ℓ/n.
      let (rows, n) = (Double(report.rowsChanged), Double(report.trainingRows))
      guard rows > 0 else { return theta }
      let (gNew, gOld) = (new.gradient(theta), old.gradient(theta))
      return (0..<theta.count).map { theta[$0] - tau * rows / n * (gNew[$0] - gOld[$0]) }
    case .second:
      let p = theta.count
      // The exact gradient has no flat component; its rounding would, divided by a ~0
      // eigenvalue, move θ far along a direction the objective ignores.
      var gradient = full
      removeFlat(&gradient)
      var step: [Double]
      if p <= settings.exactHessianLimit {
        let (factor, shift) = try factorWithShift(objective.hessian(theta, rowWeights: nil), p: p)
        step = gradient
        LAPACK.choleskySolve(factor: factor, n: p, &step)
        report.hessianSolve = "cholesky"
        report.hessianShift = shift
      } else {
        let multiply = { (v: [Double]) in
          objective.hessianVectorProduct(theta, v, rowWeights: nil)
        }
        step = try conjugateGradientStep(
          gradient, settings.conjugateGradient, multiply: multiply, report: &report)
      }
      removeFlat(&step)
      // Far from the new optimum (a large change, a confident model) the full step can
      // overshoot; backtracking keeps it only while it lowers L(·; D̃).
      let direction = step.map { -$0 }
      let search = backtrackingLineSearch(
        from: theta, value: value, gradient: full, direction: direction
      ) { objective.valueAndGradient($0, rowWeights: nil) }
      guard let point = search.point else {
        report.stepLength = 0  // already optimal at the objective's precision
        return theta
      }
      report.stepLength =
        norm(step) > 0 ? norm(zip(point.theta, theta).map { $0 - $1 }) / norm(step) : 1
      return point.theta
    }
  }

  /// Removes the softmax objective's flat directions from a θ-shaped vector: with λ = 0,
  /// the same vector added to every class's weights (invariance of the softmax; the
  /// intercepts' own flat direction is pinned by the objective). Logistic regression has
  /// none.
  static func softmaxFlatRemoval(_ model: SoftmaxRegression) -> (inout [Double]) -> Void {
    let (k, d) = (model.classCount, model.featureCount)
    let biasCount = model.config.fitIntercept ? k : 0
    let weightsPenalized = model.config.l2 > 0
    return { v in
      guard !weightsPenalized else { return }
      for j in 0..<d {
        var mean = 0.0
        for c in 0..<k { mean += v[biasCount + c * d + j] }
        mean /= Double(k)
        for c in 0..<k { v[biasCount + c * d + j] -= mean }
      }
    }
  }

  /// The lower Cholesky factor of H + sI for the smallest s ∈ {0, 10⁻¹⁰·m, 10⁻⁹·m, …, m}
  /// that factors (m the largest diagonal entry), and s.
  static func factorWithShift(_ h: [Double], p: Int) throws -> (factor: [Double], shift: Double) {
    let largest = (0..<p).map { abs(h[$0 * p + $0]) }.max() ?? 1
    var shift = 0.0
    for _ in 0..<12 {
      var shifted = h
      for i in 0..<p { shifted[i * p + i] += shift }
      if (try? LAPACK.choleskyFactor(&shifted, n: p)) != nil { return (shifted, shift) }
      shift = shift == 0 ? 1e-10 * max(largest, 1e-300) : shift * 10
    }
    throw UnlearningError.hessianSolveFailed(
      reason:
        "the \(p)×\(p) Hessian of the corrected objective is not positive definite even shifted by \(shift / 10); raise the model's L2 penalty"
    )
  }

  // MARK: MLP

  /// θ⁺ for an MLP (see the type's description).
  static func mlpStep(
    _ mlp: MLP, changes: ChangedRows, newData: Dataset, positions: [Int], order: InfluenceOrder,
    settings: Settings, report: inout Report
  ) throws -> [Double] {
    let theta = mlp.parameters.values.map(Double.init)
    let weightDecay = mlp.config.weightDecay
    report.gradientNormBefore = norm(
      mlp.gradient(newData.features, labels: newData.labels, weightDecay: weightDecay))
    guard !changes.isEmpty else { return theta }
    // `gradient` is a mean over its rows: ×|Z|/n turns each into Σ∇ℓ/n.
    let scale = Double(changes.count) / Double(newData.count)
    let gNew = mlp.gradient(changes.new.features, labels: changes.new.labels)
    let gOld = mlp.gradient(changes.old.features, labels: changes.old.labels)
    let g = (0..<theta.count).map { scale * (Double(gNew[$0]) - Double(gOld[$0])) }
    switch order {
    case .first(let tau):
      return (0..<theta.count).map { theta[$0] - tau * g[$0] }
    case .second:
      let mu = settings.damping
      let oldData = original(newData, changes: changes, positions: positions)
      let multiply = { (v: [Double]) -> [Double] in
        let hv = mlp.hessianVectorProduct(
          oldData.features, labels: oldData.labels, vector: v.map { Float($0) },
          weightDecay: weightDecay)
        return (0..<v.count).map { Double(hv[$0]) + mu * v[$0] }
      }
      report.damping = mu
      let step = try conjugateGradientStep(
        g, settings.conjugateGradient, multiply: multiply, report: &report)
      return (0..<theta.count).map { theta[$0] - step[$0] }
    }
  }

  // MARK: Shared

  /// A·x = b by conjugate gradients, recording the solve in `report`.
  /// - Throws: `UnlearningError.hessianSolveFailed` when the very first direction already
  ///   has non-positive curvature (no step at all).
  static func conjugateGradientStep(
    _ b: [Double], _ cg: ConjugateGradient, multiply: ([Double]) -> [Double],
    report: inout Report
  ) throws -> [Double] {
    let solution = cg.solve(b, multiply: multiply)
    if solution.stop == .negativeCurvature && solution.iterations == 1 {
      throw UnlearningError.hessianSolveFailed(
        reason:
          "the \(report.damping == nil ? "" : "damped ")Hessian has non-positive curvature along the gradient difference; raise the damping (μ = \(report.damping ?? 0))"
      )
    }
    let ax = multiply(solution.x)
    let bNorm = norm(b)
    report.hessianSolve = "conjugate-gradient"
    report.cgIterations = solution.iterations
    report.cgStop = solution.stop
    report.cgRelativeResidual =
      bNorm > 0 ? norm((0..<b.count).map { b[$0] - ax[$0] }) / bNorm : 0
    return solution.x
  }

  /// A new model of `model`'s type and configuration with parameters θ (stored as Float).
  static func rebuilt<Fitted: ParametricClassifier>(_ model: Fitted, _ theta: [Double]) throws
    -> Fitted
  {
    guard theta.allSatisfy(\.isFinite) else {
      throw UnlearningError.hessianSolveFailed(
        reason: "the update produced non-finite parameters; the model is unchanged")
    }
    var parameters = model.parameters
    parameters.values = theta.map { Float($0) }
    return try Fitted(
      configuration: model.configuration, featureCount: model.featureCount,
      classCount: model.classCount, parameters: parameters)
  }

  /// θ as stored (rounded to Float), in double precision.
  static func storedTheta(_ model: any ParametricModel) -> [Double] {
    model.parameters.values.map(Double.init)
  }

  static func norm<T: BinaryFloatingPoint>(_ v: [T]) -> Double {
    v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
  }

  // MARK: Validation

  /// Whether `kind` has an influence update: logistic and softmax regression, the MLP.
  public static func supports(_ kind: ModelKind) -> Bool {
    kind == .logistic || kind == .softmax || kind == .mlp
  }

  static func validate(_ kind: ModelKind, order: InfluenceOrder, settings: Settings) throws {
    guard supports(kind) else {
      let reason =
        switch kind {
        case .ridge:
          "ridge is solved in closed form; retrain it on the corrected data, which is exact and costs about one Hessian solve"
        case .certifiedLogistic:
          "its certificate covers removing rows from a perturbed objective, not changing them; retrain it on the corrected data"
        default: "it has no influence update; retrain it on the corrected data"
        }
      throw UnlearningError.unsupportedModel(
        kind: kind, method: "influence updates", reason: reason)
    }
    if case .first(let tau) = order, !(tau > 0 && tau.isFinite) {
      throw UnlearningError.invalidSetting(
        name: "τ (first-order step size)", value: "\(tau)", expected: "a finite number > 0")
    }
    guard settings.damping >= 0, settings.damping.isFinite else {
      throw UnlearningError.invalidSetting(
        name: "damping", value: "\(settings.damping)", expected: "a finite number ≥ 0")
    }
    guard settings.conjugateGradient.maxIterations >= 1 else {
      throw UnlearningError.invalidSetting(
        name: "conjugate-gradient iterations", value: "\(settings.conjugateGradient.maxIterations)",
        expected: "≥ 1")
    }
    let tolerance = settings.conjugateGradient.tolerance
    guard tolerance > 0, tolerance.isFinite else {
      throw UnlearningError.invalidSetting(
        name: "conjugate-gradient tolerance", value: "\(tolerance)",
        expected: "a finite number > 0")
    }
    guard settings.exactHessianLimit >= 0 else {
      throw UnlearningError.invalidSetting(
        name: "exact Hessian limit", value: "\(settings.exactHessianLimit)", expected: "≥ 0")
    }
  }

  /// Widths, labels and finiteness of the three datasets, and that D̃ holds the new values;
  /// returns each changed row's position in D̃.
  static func validate(_ changes: ChangedRows, newData: Dataset, for model: any Classifier)
    throws -> [Int]
  {
    let by = "the \(model.kind.rawValue) model"
    guard !newData.isEmpty else {
      throw DataError.invalid("\(newData.source): the corrected training data has 0 rows")
    }
    try newData.requireWidth(model.featureCount, expectedBy: by)
    try changes.old.requireWidth(model.featureCount, expectedBy: by)
    for data in [changes.old, changes.new, newData] {
      if let i = data.labels.firstIndex(where: { $0 < 0 || Int($0) >= model.classCount }) {
        throw UnlearningError.labelOutOfRange(
          id: data.ids[i], label: data.labels[i], classCount: model.classCount)
      }
      try data.validateFinite()
    }
    let position = Dictionary(newData.ids.enumerated().map { ($1, $0) }) { first, _ in first }
    let unknown = changes.ids.filter { position[$0] == nil }.sorted()
    guard unknown.isEmpty else {
      throw UnlearningError.unknownIDs(first: Array(unknown.prefix(10)), count: unknown.count)
    }
    let positions = changes.ids.map { position[$0]! }
    for (r, id) in changes.ids.enumerated() {
      let i = positions[r]
      guard newData.labels[i] == changes.new.labels[r],
        newData.features.row(i) == changes.new.features.row(r)
      else {
        throw UnlearningError.inconsistentChange(
          id: id,
          reason:
            "the training data holds other values for this row than its new values; pass the corrected data"
        )
      }
    }
    return positions
  }

  /// D: D̃ with the changed rows (at `positions`) back at their old values.
  static func original(_ newData: Dataset, changes: ChangedRows, positions: [Int]) -> Dataset {
    var data = newData
    let d = data.featureCount
    data.features.storage.withUnsafeMutableBufferPointer { x in
      for (r, i) in positions.enumerated() {
        data.labels[i] = changes.old.labels[r]
        for j in 0..<d { x[i * d + j] = changes.old.features[r, j] }
      }
    }
    return data
  }
}
