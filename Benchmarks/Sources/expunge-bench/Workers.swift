import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// Each worker measures one piece of work in its own process (so its peak memory is its own)
/// and prints one JSON line. Setup — loading data — is outside the timed region.
enum Workers {
  static func run(_ arguments: [String]) throws {
    let options = Options(Array(arguments.dropFirst()))
    let result: [String: Any]
    switch arguments.first {
    case "mlp": result = try mlp(options)
    case "softmax": result = try softmax(options)
    case "sgemm": result = sgemm(options)
    case "softmax-eval": result = try softmaxEvaluation(options)
    case "sisa": result = try SISAWorker.run(options)
    case "certified": result = try CertifiedWorker.run(options)
    case "downdate": result = try CholeskyWorker.run(options)
    case "influence": result = try InfluenceWorker.run(options)
    default: throw BenchError("unknown worker '\(arguments.first ?? "")'")
    }
    var line = result
    line["side"] = "expunge"
    line["max_rss_mb"] = maxResidentMegabytes()
    line["threads"] = Threads.count
    let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
  }

  /// Fashion-MNIST's training and test splits, restricted to `classes` ("0,6"; "all": every
  /// class).
  static func fashionMNIST(classes: String) throws -> (train: Dataset, test: Dataset) {
    var train = try DatasetCatalog.load("fashion-mnist")
    var test = try DatasetCatalog.load("fashion-mnist:test")
    if classes != "all" {
      let selection = classes.split(separator: ",").map { Int32($0)! }
      train = try train.selectingClasses(selection)
      test = try test.selectingClasses(selection)
    }
    return (train, test)
  }

  /// MLP 784-256-10, ReLU, Adam lr 1e-3, batch 128 on Fashion-MNIST for `--epochs` epochs.
  static func mlp(_ options: Options) throws -> [String: Any] {
    let train = try DatasetCatalog.load("fashion-mnist")
    let test = try DatasetCatalog.load("fashion-mnist:test")
    var config = MLPConfig()
    config.hidden = [256]
    config.epochs = options.int("epochs", 1)
    config.batchSize = 128
    config.learningRate = 1e-3
    config.seed = UInt64(options.int("seed", 0))
    let start = Date()
    let model = try MLP.fit(train, config: config)
    let seconds = Date().timeIntervalSince(start)
    // Useful flops per epoch: forward of both layers, weight gradients of both, the input
    // gradient of layer 2 only (layer 1 skips it): 2n(784·256·2 + 256·10·3).
    let n = Double(train.count)
    let flops = 2 * n * (784 * 256 * 2 + 256 * 10 * 3) * Double(config.epochs)
    return [
      "work": "mlp", "epochs": config.epochs, "seconds": seconds,
      "test_accuracy": model.accuracy(test.features, labels: test.labels),
      "gflop": flops / 1e9, "gflops": flops / 1e9 / seconds,
    ]
  }

  /// Softmax regression with λ = 1/(C·n), L-BFGS, at most `--max-iter` iterations, stopping
  /// at ‖∇L‖∞ ≤ `--tol`: scikit-learn's test (`--norm l2` for Expunge's stricter default).
  static func softmax(_ options: Options) throws -> [String: Any] {
    let train = try DatasetCatalog.load("fashion-mnist")
    let test = try DatasetCatalog.load("fashion-mnist:test")
    var config = SoftmaxRegressionConfig()
    config.l2 = 1 / (options.double("C", 1) * Double(train.count))
    config.maxIterations = options.int("max-iter", 200)
    config.tolerance = options.double("tol", 1e-4)
    config.toleranceNorm = GradientNorm(rawValue: options.string("norm", "max")) ?? .max
    config.solver = .lbfgs
    let start = Date()
    let model = try SoftmaxRegression.fit(train, config: config)
    let seconds = Date().timeIntervalSince(start)
    let report = model.solverReport!
    return [
      "work": "softmax", "seconds": seconds,
      "test_accuracy": model.accuracy(test.features, labels: test.labels),
      "iterations": report.iterations, "evaluations": report.evaluations,
      "gradient_norm": report.gradientNorm, "objective": report.objective,
    ]
  }

  /// Where one softmax-regression evaluation (loss + gradient on Fashion-MNIST) spends its
  /// time: the whole evaluation and its two n × d × K products alone, best of `--repeats`.
  static func softmaxEvaluation(_ options: Options) throws -> [String: Any] {
    let train = try DatasetCatalog.load("fashion-mnist")
    let (n, d, k) = (train.count, train.featureCount, train.classCount)
    let objective = SoftmaxObjective(data: train, classCount: k, l2: 1e-4, fitIntercept: true)
    var rng = SeededGenerator(seed: 1)
    let theta = (0..<objective.parameterCount).map { _ in 0.01 * rng.nextNormal() }
    let repeats = options.int("repeats", 10)
    func best(_ body: () -> Void) -> Double {
      var fastest = Double.infinity
      for _ in 0..<repeats {
        let start = Date()
        body()
        fastest = min(fastest, Date().timeIntervalSince(start))
      }
      return fastest
    }
    let evaluation = best { _ = objective.valueAndGradient(theta, rowWeights: nil) }
    let w = Matrix(rows: k, cols: d, storage: rng.normals(k * d))
    var z = Matrix.zeros(n, k)
    let forward = best { BLAS.gemm(train.features, w, transB: .transpose, into: &z) }
    var g = Matrix.zeros(k, d)
    let backward = best { BLAS.gemm(z, train.features, transA: .transpose, into: &g) }
    var zt = Matrix.zeros(k, n)
    let forwardTransposed = best { BLAS.gemm(w, train.features, transB: .transpose, into: &zt) }
    let flop = 2.0 * Double(n * d * k)
    return [
      "forward_transposed_ms": forwardTransposed * 1e3,
      "work": "softmax-eval", "evaluation_ms": evaluation * 1e3,
      "forward_ms": forward * 1e3, "forward_gflops": flop / forward / 1e9,
      "backward_ms": backward * 1e3, "backward_gflops": flop / backward / 1e9,
    ]
  }

  /// The machine's matrix-multiply ceiling: best of 5 `cblas_sgemm` at size³.
  static func sgemm(_ options: Options) -> [String: Any] {
    let size = options.int("size", 2048)
    var rng = SeededGenerator(seed: 1)
    let a = Matrix(rows: size, cols: size, storage: rng.uniforms(size * size))
    let b = Matrix(rows: size, cols: size, storage: rng.uniforms(size * size))
    var c = Matrix.zeros(size, size)
    var best = Double.infinity
    for _ in 0..<5 {
      let start = Date()
      BLAS.gemm(a, b, into: &c)
      best = min(best, Date().timeIntervalSince(start))
    }
    let flops = 2 * pow(Double(size), 3)
    return ["work": "sgemm", "size": size, "seconds": best, "gflops": flops / 1e9 / best]
  }

  static func maxResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
  }
}

struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
