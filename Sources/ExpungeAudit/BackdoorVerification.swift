import ExpungeCore
import ExpungeData
import Foundation

/// How often a model falls for a backdoor's trigger: the test rows whose true class is not
/// the target, stamped with the trigger, and the fraction predicted as the target (and, for
/// contrast, the fraction predicted as the target without the trigger).
public struct BackdoorRate: Sendable, Equatable, Codable {
  public var model: String
  /// Triggered queries n and how many were predicted as the target.
  public var queries: Int
  public var successes: Int
  public var successRate: Double
  public var cleanTargetRate: Double

  public init(_ model: AuditedModel, backdoor: Backdoor, test: Dataset) {
    let rows = test.subset(test.labels.indices.filter { test.labels[$0] != backdoor.targetLabel })
    let triggered = model.predict(backdoor.trigger.stamp(rows.features))
    let clean = model.predict(rows.features)
    self.model = model.name
    queries = rows.count
    successes = triggered.filter { $0 == backdoor.targetLabel }.count
    successRate = Double(successes) / Double(max(queries, 1))
    cleanTargetRate =
      Double(clean.filter { $0 == backdoor.targetLabel }.count) / Double(max(queries, 1))
  }
}

/// The hypothesis test of Sommer et al. ("Towards Probabilistic Verification of Machine
/// Unlearning", PETS 2022). Each triggered query succeeds with probability q if the rows
/// were deleted (H0: the rate of the oracle, a model that never saw them) and p if they were
/// not (H1: the rate of the original). With k successes in n queries:
///
///     log Λ = log Binom(k; n, p) − log Binom(k; n, q)   (> 0 favours "not deleted")
///     p-value = P(X ≥ k | X ~ Binom(n, q))                (exact, summed in log space)
///
/// The decision rule "not deleted iff k ≥ t" with t the smallest count where Λ ≥ 1 has
/// type-I error α = P(X ≥ t | q) and type-II error β = P(X < t | p); when either exceeds
/// `maximumError` the two hypotheses are too close for n queries and the verdict is
/// "inconclusive".
public struct BackdoorHypothesisTest: Sendable, Equatable, Codable {
  public var queries: Int
  public var successes: Int
  /// The rates under H0 (deleted) and H1 (not deleted).
  public var deletedRate: Double
  public var notDeletedRate: Double
  public var logLikelihoodRatio: Double
  public var pValue: Double
  public var threshold: Int
  public var typeIError: Double
  public var typeIIError: Double
  /// "deleted", "not deleted" or "inconclusive".
  public var verdict: String

  public static let maximumError = 0.01

  public init(queries n: Int, successes k: Int, deletedRate q: Double, notDeletedRate p: Double) {
    // Rates of exactly 0 or 1 make one hypothesis impossible; keep them just inside.
    let q = min(max(q, 1e-9), 1 - 1e-9)
    let p = min(max(p, 1e-9), 1 - 1e-9)
    queries = n
    successes = k
    deletedRate = q
    notDeletedRate = p
    logLikelihoodRatio = Self.logPMF(k, n, p) - Self.logPMF(k, n, q)
    pValue = exp(Self.logUpperTail(k, n, q))
    var t = n + 1
    if p > q {
      t = (0...n).first { Self.logPMF($0, n, p) >= Self.logPMF($0, n, q) } ?? n + 1
    }
    threshold = t
    typeIError = t > n ? 0 : exp(Self.logUpperTail(t, n, q))
    typeIIError = t > n ? 1 : 1 - exp(Self.logUpperTail(t, n, p))
    if p <= q || typeIError > Self.maximumError || typeIIError > Self.maximumError {
      verdict = "inconclusive"
    } else {
      verdict = k >= t ? "not deleted" : "deleted"
    }
  }

  static func logPMF(_ k: Int, _ n: Int, _ p: Double) -> Double {
    lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) + Double(k) * log(p)
      + Double(n - k) * log1p(-p)
  }

  /// log P(X ≥ k), X ~ Binom(n, p), by log-sum-exp over the tail.
  static func logUpperTail(_ k: Int, _ n: Int, _ p: Double) -> Double {
    guard k <= n else { return -.infinity }
    guard k > 0 else { return 0 }
    let terms = (k...n).map { logPMF($0, n, p) }
    let top = terms.max()!
    return top + log(terms.reduce(0) { $0 + exp($1 - top) })
  }
}

/// What the audit reports for a backdoored store or model: each model's trigger success
/// rate and, with an original and an oracle, the test's verdict on the unlearned model.
public struct BackdoorVerification: Sendable, Equatable, Codable {
  public var trigger: String
  public var targetLabel: Int32
  public var poisonedRows: Int
  public var rates: [BackdoorRate]
  public var test: BackdoorHypothesisTest?

  public init(backdoor: Backdoor, models: [AuditedModel], test: Dataset) {
    trigger = backdoor.trigger.description
    targetLabel = backdoor.targetLabel
    poisonedRows = backdoor.ids.count
    rates = models.map { BackdoorRate($0, backdoor: backdoor, test: test) }
    func rate(_ name: String) -> BackdoorRate? { rates.first { $0.model == name } }
    if let original = rate("original"), let oracle = rate("oracle"),
      let unlearned = rate("unlearned")
    {
      self.test = BackdoorHypothesisTest(
        queries: unlearned.queries, successes: unlearned.successes,
        deletedRate: oracle.successRate, notDeletedRate: original.successRate)
    }
  }
}
