import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// The solvers reach the optimum they claim, agree with each other, and are deterministic.
@Suite("Convex training")
struct ConvexTrainingTests {
  static let data = try! DatasetCatalog.load("synthetic:n=400,d=6,classes=3,seed=2,sep=1")

  static func softmaxConfig(_ solver: ConvexSolver) -> SoftmaxRegressionConfig {
    var c = SoftmaxRegressionConfig()
    c.l2 = 1e-2
    c.tolerance = 1e-6
    c.solver = solver
    return c
  }

  @Test func newtonAndLBFGSReachTheSameOptimum() throws {
    let newton = try SoftmaxRegression.fit(Self.data, config: Self.softmaxConfig(.newton))
    let lbfgs = try SoftmaxRegression.fit(Self.data, config: Self.softmaxConfig(.lbfgs))
    for model in [newton, lbfgs] {
      let report = try #require(model.solverReport)
      #expect(report.converged, "\(report)")
      // The reported gradient norm is recomputed independently from the saved parameters.
      let g = model.objective(on: Self.data).gradient(model.theta)
      #expect(g.reduce(0) { $0 + $1 * $1 }.squareRoot() < 1e-5)
    }
    // The weights are unique (penalized); the unpenalized biases only up to a common shift,
    // which softmax ignores.
    let weightGap = zip(newton.parameters["weight"], lbfgs.parameters["weight"]).map {
      abs($0 - $1)
    }
    #expect(weightGap.max()! < 1e-4)
    func centred(_ b: [Float]) -> [Float] { b.map { $0 - b.reduce(0, +) / Float(b.count) } }
    let biasGap = zip(centred(newton.parameters["bias"]), centred(lbfgs.parameters["bias"]))
    #expect(biasGap.allSatisfy { abs($0 - $1) < 1e-4 })
    #expect(newton.solverReport!.iterations < 20, "Newton converges quadratically")
  }

  @Test func sameDataSameBytes() throws {
    let a = try SoftmaxRegression.fit(Self.data, config: Self.softmaxConfig(.lbfgs))
    let b = try SoftmaxRegression.fit(Self.data, config: Self.softmaxConfig(.lbfgs))
    #expect(a.parameters.values.map(\.bitPattern) == b.parameters.values.map(\.bitPattern))
  }

  @Test func logisticRegressionConvergesAndPredicts() throws {
    let pair = try Self.data.selectingClasses([0, 1])
    var config = LogisticRegressionConfig()
    config.l2 = 1e-3
    let model = try LogisticRegression.fit(pair, config: config)
    #expect(model.solverReport?.converged == true)
    let g = model.objective(on: pair).gradient(model.theta)
    #expect(g.reduce(0) { $0 + $1 * $1 }.squareRoot() < 1e-5)
    #expect(model.accuracy(pair.features, labels: pair.labels) > 0.8)
    let p = model.predictProbabilities(pair.features)
    #expect(p.cols == 2 && (0..<p.rows).allSatisfy { abs(p[$0, 0] + p[$0, 1] - 1) < 1e-6 })
  }

  /// The closed form is checked by its optimality condition, evaluated independently in
  /// Double: ∇_W = (1/n) Σ (W xᵢ + b − eᵧᵢ) xᵢᵀ + λW = 0 and ∇_b = (1/n) Σ (W xᵢ + b − eᵧᵢ) = 0.
  @Test func ridgeSolvesItsNormalEquations() throws {
    var config = RidgeConfig()
    config.l2 = 0.1
    let model = try RidgeClassifier.fit(Self.data, config: config)
    let (n, d, k) = (Self.data.count, Self.data.featureCount, Self.data.classCount)
    let w = model.parameters["weight"].map(Double.init)
    let b = model.parameters["bias"].map(Double.init)
    var gradW = [Double](repeating: 0, count: k * d)
    var gradB = [Double](repeating: 0, count: k)
    for i in 0..<n {
      for c in 0..<k {
        var residual = b[c] - (Int(Self.data.labels[i]) == c ? 1 : 0)
        for j in 0..<d { residual += w[c * d + j] * Double(Self.data.features[i, j]) }
        gradB[c] += residual / Double(n)
        for j in 0..<d {
          gradW[c * d + j] += residual * Double(Self.data.features[i, j]) / Double(n)
        }
      }
    }
    for j in 0..<(k * d) { gradW[j] += config.l2 * w[j] }
    #expect((gradW + gradB).allSatisfy { abs($0) < 1e-5 }, "\(gradW) \(gradB)")
    #expect(model.accuracy(Self.data.features, labels: Self.data.labels) > 0.7)
  }

  @Test func badHyperparametersAndDataAreRefused() {
    var config = Self.softmaxConfig(.auto)
    config.l2 = -1
    #expect(throws: ModelError.self) { try SoftmaxRegression.fit(Self.data, config: config) }
    let oneClass = try! Self.data.selectingClasses([1])
    #expect(throws: ModelError.self) {
      try SoftmaxRegression.fit(oneClass, config: Self.softmaxConfig(.auto))
    }
  }
}
