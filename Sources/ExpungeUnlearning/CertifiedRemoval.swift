import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// Certified removal from a `CertifiedLogisticRegression` (Guo et al., ICML 2020) with a
/// Hessian kept factored between removals.
///
/// Each binary model minimizes L_b(w; D) = Σ_D ℓᵢ(w) + (Λ/2)‖w‖² + bᵀw (summed; Λ fixed).
/// Removing rows R from D leaves D′ with L_b(w; D′) = L_b(w; D) − Σ_R ℓᵢ(w), whose gradient
/// at the current w is r − Δ, Δ = Σ_R ∇ℓᵢ(w), r the residual left so far. The Newton step is
///
///     w⁺ = w + s,   s = H̃⁻¹ Δ,   H̃ = ∇²L(w_ref; D′)
///
/// where w_ref is the point the Hessian was last built at. Guo et al. rebuild H at w for each
/// removal, O(nd² + d³); here the Cholesky factor of ∇²L(w_ref; D) is kept and each removed
/// row's curvature ℓ″(w_refᵀxᵢ)xᵢxᵢᵀ taken out by a rank-1 downdate, O(d²) per row — exact,
/// because the penalty Λ does not depend on n. The new residual is
///
///     ∇L_b(w⁺; D′) = r + (H̄ − H̃) s,   H̄ = ∫₀¹ ∇²L(w + ts; D′) dt.
///
/// **The bound.** For the logistic loss |ℓ″(a) − ℓ″(a′)| ≤ γ|a − a′| with γ = max|ℓ‴| =
/// 1/(6√3). So (H̄ − H̃)s = Σ_{D′} cⱼ (xⱼᵀs) xⱼ with |cⱼ| ≤ γ(|xⱼᵀ(w − w_ref)| + |xⱼᵀs|/2), and
/// with ‖xⱼ‖ ≤ 1 either of
///
///     ‖(H̄ − H̃) s‖ ≤ γ ‖X‖₂ √(sᵀGs) (‖w − w_ref‖ + ‖s‖/2)
///     ‖(H̄ − H̃) s‖ ≤ γ (√((w − w_ref)ᵀG(w − w_ref)) √(sᵀGs) + sᵀGs/2)
///
/// holds (see `stepBound`), G = XᵀX of the rows at the last (re)training: removing rows only
/// shrinks X′ᵀX′ below G, so ‖X‖₂ = √λ_max(G) and the quadratic forms stay upper bounds —
/// O(d²), no pass over the data. The weights stay in double precision (the model keeps, saves
/// and loads them so): rounding w⁺ to Float would move the gradient by up to
/// (‖X‖₂²/4 + Λ)‖e‖, about half of what removals spent of the budget at n = 12 000. Each
/// removal's bound adds to the model's accumulated bound, which starts at the training
/// residual ‖∇L_b(w; D)‖ measured in double precision.
///
/// **Refreshing.** Drift since the last refresh, w − w_ref, makes a step's bound b larger
/// than the bound b° the same step would have with w_ref = w (`stepBound` without the drift
/// terms). Rebuilding the factor at w over D′ — a refresh, O(n′d² + d³) — removes that
/// excess for the steps that follow, until drift builds up again. Whether that pays depends
/// on what budget is worth: when a model's budget B runs out, every model is retrained and
/// refactored (C_T); spending a bound β brings that retrain β/B of a budget nearer, so costs
/// β·C_T/B of retraining. A refresh (C_r) is worth the budget W = B·C_r/C_T.
///
/// What a refresh will save is not known when it is due; what staleness has cost so far is:
/// the excess b − b° of each step since the last refresh. The rule (`RefreshRule.breakEven`)
/// refreshes once that excess, this step's included, reaches W: the break-even rule of ski
/// rental. If the excess of the j-th step after a refresh grows like a·j^p, refreshing every
/// K steps costs per step C_r/K + (C_T/B)·a·K^p/(p + 1), least where the excess paid in the
/// cycle is C_r/p; stopping at C_r instead costs 2p^(p/(p+1))/(p + 1) times that least cost
/// — exactly it for linear growth (p = 1), within 6 % for p from ½ (drift as a random walk of
/// removed rows) to 2.
///
/// With m models the retrain comes when the first of them runs out: budget saved in one
/// model postpones it only if every model that would run out before the new date saves as
/// well. If the m models spend alike, each refreshing every K steps, the cost per step is
/// m·C_r/K + (C_T/B)·a·K^p/(p + 1): the same trade with m refreshes for one, so each model
/// breaks even at m·W. Models that spend unlike count by how far along they are: with aₖ a
/// model's accumulated bound and a_max the largest, m′ = Σⱼ aⱼ/a_max models are in
/// contention, and model k refreshes once its excess reaches W·m′·a_max/aₖ — W·m′ for the
/// model furthest along, more for those behind it.
///
/// The budget's edge needs no rule of its own: a step whose stale bound would take its model
/// past the budget while a fresh one would not keeps, if refreshed, B − aₖ − b° — less than
/// the step's excess b − b° — so the test above refreshes whenever that budget is worth a
/// refresh, and otherwise the retrain goes ahead. A downdate that rounding breaks is always
/// refreshed.
///
/// C_r and C_T are counted in flops (`refreshCosts`), so the decisions — and the model —
/// depend only on the data and the rows removed, never on timing: C_r = n′d² + d³/3 (one
/// Hessian and its factor over the n′ kept rows), C_T = m·C_r + n′d² + 9d³ (every factor, G
/// and its eigenvalues) + 4n′dm per pass of training, taken as 50 passes. For a binary model
/// at n′ = 12 000 and d = 784 a refresh is worth about a third of the budget: retraining
/// costs little more than refreshing. For one-vs-rest at n′ = 60 000 (m = 10) it is worth
/// about a fourteenth of a model's budget, but with ten models spending alike the
/// break-even excess is most of a budget: the ten refreshes it takes to postpone a retrain
/// cost nearly as much as the retrain, and the rule rarely refreshes.
///
/// **The budget.** While every model's accumulated bound stays within ε′ = σε/c (Guo et al.,
/// Theorem 3; split over the m models), the result is (ε, δ)-indistinguishable from
/// training on D′. A removal that would exceed it retrains every model exactly on D′ with a
/// fresh b (a new perturbation seed), which resets the bounds.
public struct CertifiedRemoval: Sendable {
  /// The current model.
  public private(set) var model: CertifiedLogisticRegression
  /// The rows it was prepared with, as given (not normalized); `active` says which it may
  /// still learn from. Removal flips flags instead of copying the rows.
  public let allRows: Dataset
  public private(set) var active: [Bool]
  /// Each binary model's accumulated bound on ‖∇L_b(w; D′)‖₂.
  public private(set) var residualBounds: [Double]
  /// ε′ per binary model.
  public let budget: Double
  /// When a binary model's factor is rebuilt at its current weights (default `.breakEven`).
  public var refreshRule: RefreshRule = .breakEven
  /// How many times the budget ran out and the model was retrained.
  public private(set) var retrains = 0

  /// γ = max |ℓ‴| for the logistic loss.
  public static let gamma = 1 / (6 * 3.0.squareRoot())

  var normalized: Dataset
  /// Every binary model's objective over `normalized` (rows outside `active` masked out).
  var objective: PerturbedLogisticObjective
  var position: [SampleID: Int]
  var activeCount: Int
  var factors: [[Double]]
  var references: [[Double]]
  /// Each model's excess b − b° summed over the steps since its factor was last built.
  var staleness: [Double] = []
  var gram: [Double]
  var spectralNorm: Double

  /// Prepares removal from `model`, trained on `data`: factors each binary model's Hessian
  /// at its weights, O(m·nd² + m·d³), and measures the training residuals.
  public init(model: CertifiedLogisticRegression, data: Dataset) throws {
    try self.init(model: model, data: data, accumulated: nil)
  }

  /// Prepares removal from `model` whose accumulated bounds are `saved` (a store keeps them
  /// between requests): the Hessians are factored at the current weights, the bounds carried
  /// on. nil measures the residuals afresh, as after training.
  public init(model: CertifiedLogisticRegression, data: Dataset, accumulated saved: SavedBounds?)
    throws
  {
    precondition(data.featureCount == model.featureCount, "CertifiedRemoval: widths differ")
    self.model = model
    allRows = data
    active = [Bool](repeating: true, count: data.count)
    activeCount = data.count
    position = Dictionary(uniqueKeysWithValues: data.ids.enumerated().map { ($1, $0) })
    normalized = CertifiedLogisticRegression.normalizedRows(data)
    objective = Self.objective(model, normalized)
    budget = CertifiedLogisticRegression.residualBudget(model.config, models: model.modelCount)
    factors = []
    references = []
    residualBounds = []
    gram = []
    spectralNorm = 0
    if let saved {
      guard saved.residualBounds.count == model.modelCount else {
        throw UnlearningError.badSavedState(
          "\(saved.residualBounds.count) bounds for \(model.modelCount) binary models")
      }
      residualBounds = saved.residualBounds
      retrains = saved.retrains
      try refresh()
    } else {
      try rebuild()
    }
  }

  /// What a store keeps between requests: the accumulated bounds and the retrain count.
  /// The factors are not kept: they are rebuilt at the published weights (see `refresh`), so
  /// nothing the store holds depends on a model that saw a removed row but the published,
  /// certified one.
  public struct SavedBounds: Codable, Sendable, Equatable {
    public var residualBounds: [Double]
    public var retrains: Int
    public init(residualBounds: [Double], retrains: Int) {
      self.residualBounds = residualBounds
      self.retrains = retrains
    }
  }

  /// The accumulated bounds and retrain count, for `init(model:data:accumulated:)`.
  public var savedBounds: SavedBounds {
    SavedBounds(residualBounds: residualBounds, retrains: retrains)
  }

  var d: Int { model.featureCount }

  /// The rows it may still learn from, in order (a copy: for retraining and checks).
  public var data: Dataset { allRows.subset(active.indices.filter { active[$0] }) }

  /// `model`'s objective (its Λ and b) over `rows`.
  static func objective(_ model: CertifiedLogisticRegression, _ rows: Dataset)
    -> PerturbedLogisticObjective
  {
    PerturbedLogisticObjective(
      data: rows, totalPenalty: model.config.totalPenalty!,
      perturbations: (0..<model.modelCount).map {
        CertifiedLogisticRegression.perturbation(
          model.config, model: $0, featureCount: model.featureCount)
      })
  }

  /// `refresh`, then the bounds reset to the measured residuals (after training).
  mutating func rebuild() throws {
    try refresh()
    residualBounds = (0..<model.modelCount).map { residual(model: $0).norm }
  }

  /// Rebuilds the Gram matrix, its spectral norm and every factor from the kept rows at the
  /// current weights, O(m·nd² + m·d³); the accumulated bounds stay. Afterwards nothing held
  /// depends on the removed rows or on weights that saw them.
  public mutating func refresh() throws {
    (gram, spectralNorm) = Self.gramAndNorm(
      normalized.subset(active.indices.filter { active[$0] }).features)
    factors = try (0..<model.modelCount).map { try factor(model: $0, at: model.weights($0)) }
    references = (0..<model.modelCount).map { model.weights($0) }
    staleness = [Double](repeating: 0, count: model.modelCount)
  }

  /// When a binary model's Hessian factor is rebuilt at its current weights over the kept
  /// rows (a refresh; see the type's description).
  public enum RefreshRule: String, Sendable, Codable, CaseIterable {
    /// Once the budget staleness has cost since the last refresh is worth a refresh (the
    /// default).
    case breakEven
    /// Before every step whose factor is stale: Guo et al.'s recipe, each bound as small as
    /// it gets, one Hessian per model per removal.
    case always
    /// Only when rounding breaks a downdate: the fewest Hessians, the most budget per step.
    case never
  }

  /// C_r and C_T of the type's description, in flops, for the kept rows.
  var refreshCosts: (refresh: Double, retrain: Double) {
    let (n, d, m) = (Double(activeCount), Double(self.d), Double(model.modelCount))
    let refresh = n * d * d + d * d * d / 3
    let trainingPasses = 50.0
    return (refresh, m * refresh + n * d * d + 9 * d * d * d + trainingPasses * 4 * n * d * m)
  }

  /// The Cholesky factor of ∇²L_b(w; current rows) for binary model k.
  func factor(model k: Int, at w: [Double]) throws -> [Double] {
    var h = objective.hessian(model: k, at: w, keep: active)
    try LAPACK.choleskyFactor(&h, n: d)
    return h
  }

  /// ∇L_b(w; current rows) of binary model k at its current weights, in double precision
  /// throughout (the certificate is about this vector), and its norm.
  public func residual(model k: Int) -> (gradient: [Double], norm: Double) {
    let g = objective.gradient(model: k, at: model.weights(k), keep: active)
    return (g, Self.norm(g))
  }

  /// What one request did.
  public struct Report: Sendable, Equatable, Codable {
    public var removed: Int
    /// The bound this request added to each binary model's accumulated bound (0 after a
    /// retrain).
    public var bounds: [Double]
    /// The accumulated bounds after it.
    public var residualBounds: [Double]
    /// The binary model of each Hessian rebuilt at the current weights during the request
    /// (one entry per rebuild).
    public var refreshed: [Int]
    /// Whether the budget ran out and the model was retrained exactly on the kept rows.
    public var retrained: Bool
  }

  /// Removes the rows with `ids` by one Newton step for the whole batch.
  /// - Throws: `UnlearningError.unknownIDs` (nothing changed), or a training error from a
  ///   retrain.
  public mutating func remove(_ ids: Set<SampleID>) throws -> Report {
    try remove(ids.sorted(), oneByOne: false)
  }

  /// Removes the rows with `ids` one Newton step per row, in the order given. A batch
  /// step's bound grows with the square of the batch (the quadratic term sᵀGs/2), so k
  /// single steps spend far less budget than one step for k rows; only the model after the
  /// last step is published, and the accumulated bound covers it.
  public mutating func removeOneByOne(_ ids: [SampleID]) throws -> Report {
    var seen = Set<SampleID>()
    return try remove(ids.filter { seen.insert($0).inserted }, oneByOne: true)
  }

  private mutating func remove(_ ids: [SampleID], oneByOne: Bool) throws -> Report {
    guard !ids.isEmpty else { throw UnlearningError.emptyRequest }
    let unknown = ids.filter { id in position[id].map { !active[$0] } ?? true }.sorted()
    guard unknown.isEmpty else {
      throw UnlearningError.unknownIDs(first: Array(unknown.prefix(10)), count: unknown.count)
    }
    let positions = ids.map { position[$0]! }
    let steps = oneByOne ? positions.map { [$0] } : [positions.sorted()]
    // The factors (4.9 MB each at d = 784) move into `next` instead of being copied; if
    // anything below throws, `refresh` rebuilds them from the unchanged model and rows.
    var next = self
    factors = []
    do {
      var report = Report(
        removed: positions.count, bounds: [Double](repeating: 0, count: model.modelCount),
        residualBounds: [], refreshed: [], retrained: false)
      for rows in steps {
        guard let step = try next.step(removing: rows) else {
          try next.retrain(without: positions)
          report.bounds = [Double](repeating: 0, count: model.modelCount)
          report.refreshed = []
          report.retrained = true
          break
        }
        for k in step.bounds.indices { report.bounds[k] += step.bounds[k] }
        report.refreshed += step.refreshed
      }
      report.residualBounds = next.residualBounds
      self = next
      return report
    } catch {
      try? refresh()
      throw error
    }
  }

  /// One Newton step removing the rows at `positions`; nil, with the state half-changed,
  /// when it would take a model past the budget (the caller retrains).
  private mutating func step(removing positions: [Int]) throws -> (
    bounds: [Double], refreshed: [Int]
  )? {
    let removed = normalized.subset(positions)
    for i in positions { active[i] = false }
    activeCount -= positions.count
    var weights: [[Double]] = []
    var bounds: [Double] = []
    var refreshed: [Int] = []
    let accumulatedBefore = residualBounds
    for k in 0..<model.modelCount {
      let task = CertifiedLogisticRegression.binaryTask(removed, model: k)
      let w = model.weights(k)
      var factor: [Double] = []
      swap(&factor, &factors[k])
      var reference = references[k]
      var delta = [Double](repeating: 0, count: d)
      var curvature: [Double] = []  // the rows √ℓ″(w_refᵀxᵢ)·xᵢ to take out of the factor
      for i in 0..<task.count {
        let x = task.features.row(i).map(Double.init)
        let r = sigmoid(Self.dot(w, x)) - Double(task.labels[i])
        for j in 0..<d { delta[j] += r * x[j] }
        let p = sigmoid(Self.dot(reference, x))
        let root = (p * (1 - p)).squareRoot()
        curvature += x.map { $0 * root }
      }
      // Λ I keeps the downdated matrix definite; should rounding still break the downdate,
      // the Hessian is rebuilt below instead.
      let downdated = (try? LAPACK.choleskyDowndate(&factor, n: d, vectors: curvature)) != nil
      var s = delta
      if downdated { LAPACK.choleskySolve(factor: factor, n: d, &s) }
      let drift = zip(w, reference).map { $0 - $1 }
      let (sGs, dGd) = quadraticForms(s, drift)
      var forms = (sGs: sGs, dGd: dGd, drift: Self.norm(drift))
      let stale = stepBound(s, forms)
      let excess = stale - stepBound(s, (sGs, 0, 0))
      let refreshing =
        !downdated
        || (excess > 0
          && refreshes(model: k, excess: excess, accumulatedBefore: accumulatedBefore))
      if refreshing {
        factor = try self.factor(model: k, at: w)
        reference = w
        s = delta
        LAPACK.choleskySolve(factor: factor, n: d, &s)
        forms = (quadraticForms(s, nil).sGs, 0, 0)
        staleness[k] = 0
        refreshed.append(k)
      } else {
        staleness[k] += excess
      }
      let bound = stepBound(s, forms)
      weights.append(zip(w, s).map { $0 + $1 })
      bounds.append(bound)
      factors[k] = factor
      references[k] = reference
      residualBounds[k] += bound
    }
    guard residualBounds.allSatisfy({ $0 <= budget }) else { return nil }
    model = CertifiedLogisticRegression(
      config: model.config, featureCount: d, classCount: model.classCount, weights: weights)
    return (bounds, refreshed)
  }

  /// Whether model k refreshes before a step whose bound with its stale factor exceeds the
  /// fresh one's by `excess`; `accumulatedBefore` holds every model's accumulated bound
  /// before the step.
  func refreshes(model k: Int, excess: Double, accumulatedBefore: [Double]) -> Bool {
    switch refreshRule {
    case .always: return true
    case .never: return false
    case .breakEven:
      return Self.breakEven(
        model: k, accumulated: accumulatedBefore, worth: refreshWorth, spent: staleness[k],
        excess: excess)
    }
  }

  /// W = B·C_r/C_T: the budget whose spending brings a retrain as much nearer as a refresh
  /// costs (see the type's description), for the rows kept now.
  public var refreshWorth: Double {
    let (refresh, retrain) = refreshCosts
    return budget * refresh / retrain
  }

  /// The break-even test of the type's description: whether model k refreshes before a step.
  ///
  ///     refresh ⇔ spent + excess ≥ W·m′·a_max/aₖ,   m′ = Σⱼ aⱼ/a_max
  ///
  /// - Parameters:
  ///   - accumulated: every model's accumulated bound aⱼ before the step (all 0: every model
  ///     counts fully).
  ///   - worth: W, the budget a refresh is worth (`refreshWorth`).
  ///   - spent: the excess model k's steps have spent since its factor was built.
  ///   - excess: how much this step's bound with the stale factor exceeds the fresh one's.
  /// - Complexity: O(m).
  public static func breakEven(
    model k: Int, accumulated: [Double], worth: Double, spent: Double, excess: Double
  ) -> Bool {
    let leader = accumulated.max() ?? 0
    let share = leader > 0 ? accumulated[k] / leader : 1
    let contenders =
      leader > 0 ? accumulated.reduce(0) { $0 + $1 / leader } : Double(accumulated.count)
    return spent + excess >= worth * contenders / max(share, .leastNormalMagnitude)
  }

  /// Retrains every model exactly on the rows kept once `positions` are gone, with a fresh
  /// b (a new perturbation seed drawn from the old), and starts the bounds afresh.
  private mutating func retrain(without positions: [Int]) throws {
    for i in positions { active[i] = false }
    activeCount = active.lazy.filter { $0 }.count
    var config = model.config
    var draw = SeededGenerator(seed: config.perturbationSeed).derived("certified-retrain")
    config.perturbationSeed = draw.next()
    model = try CertifiedLogisticRegression.fit(data, config: config)
    objective = Self.objective(model, normalized)
    retrains += 1
    try rebuild()
  }

  /// A bound on ‖(H̄ − H̃)s‖ for the step s taken with a Hessian built at w − drift. With u = X′·drift, v = X′s and |cⱼ| ≤ γ(|uⱼ| + |vⱼ|/2), two bounds hold
  /// and the smaller is used, both from G ⪰ X′ᵀX′ in O(d²):
  ///
  ///     ‖X′ᵀ(c ⊙ v)‖ ≤ ‖X‖₂ ‖c ⊙ v‖₂ ≤ γ ‖X‖₂ √(sᵀGs) (‖drift‖ + ‖s‖/2)   (‖xⱼ‖ ≤ 1 bounds |uⱼ|, |vⱼ|)
  ///     ‖Σ cⱼvⱼxⱼ‖ ≤ Σ |cⱼvⱼ| ≤ γ (‖u‖‖v‖ + ‖v‖²/2) ≤ γ (√(driftᵀG drift) √(sᵀGs) + sᵀGs/2)
  /// `forms` carries sᵀGs, driftᵀG·drift and ‖drift‖ (zeros for a fresh Hessian), each an
  /// O(d²) pass over G computed once per step.
  func stepBound(_ s: [Double], _ forms: (sGs: Double, dGd: Double, drift: Double)) -> Double {
    let spectral = spectralNorm * forms.sGs.squareRoot() * (forms.drift + Self.norm(s) / 2)
    let quadratic = (forms.dGd * forms.sGs).squareRoot() + forms.sGs / 2
    return Self.gamma * min(spectral, quadratic)
  }

  /// sᵀGs and driftᵀG·drift (≥ ‖X′s‖², ‖X′drift‖²), each one matrix–vector product with
  /// G (a nil or zero drift gives 0 and skips its product).
  func quadraticForms(_ s: [Double], _ drift: [Double]?) -> (sGs: Double, dGd: Double) {
    func form(_ v: [Double]) -> Double {
      var gv = [Double](repeating: 0, count: d)
      gram.withUnsafeBufferPointer { g in
        v.withUnsafeBufferPointer { x in
          gv.withUnsafeMutableBufferPointer { y in
            BLAS.dgemv(
              .none, rows: d, cols: d, alpha: 1, a: g.baseAddress!, x: x.baseAddress!, beta: 0,
              y: y.baseAddress!)
          }
        }
      }
      return max(Self.dot(v, gv), 0)
    }
    let dGd = drift.map { $0.contains { $0 != 0 } ? form($0) : 0 } ?? 0
    return (form(s), dGd)
  }

  /// G = XᵀX in double precision and √λ_max(G) (rounded up slightly, as an upper bound).
  static func gramAndNorm(_ x: Matrix) -> (gram: [Double], norm: Double) {
    let (n, d) = (x.rows, x.cols)
    var gram = [Double](repeating: 0, count: d * d)
    let chunk = 2048
    for start in stride(from: 0, to: n, by: chunk) {
      let rows = min(chunk, n - start)
      let block = x.storage[(start * d)..<((start + rows) * d)].map(Double.init)
      block.withUnsafeBufferPointer { a in
        gram.withUnsafeMutableBufferPointer { g in
          BLAS.dsyrkFull(n: rows, d: d, alpha: 1, a: a.baseAddress!, beta: 1, c: g.baseAddress!)
        }
      }
    }
    var copy = gram
    let top = LAPACK.symmetricEigen(&copy, n: d).max() ?? 0
    return (gram, (max(top, 0) * (1 + 1e-9)).squareRoot())
  }

  static func dot(_ a: [Double], _ b: [Double]) -> Double {
    var total = 0.0
    for j in a.indices { total += a[j] * b[j] }
    return total
  }

  static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
