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
    case "gemm": result = gemmShapes(options)
    case "pool": result = poolLatency(options)
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

  /// GFLOP/s of `BLAS.gemm` (split into tiles on the pool) at the shapes of an MLP step and
  /// a softmax evaluation, best of `--repeats`; `--shapes "NT:128x256x784,TN:256x784x128"`
  /// picks others (op(A) op(B): m × n × k).
  static func gemmShapes(_ options: Options) -> [String: Any] {
    let shapes = options.string(
      "shapes",
      "NT:128x256x784,TN:256x784x128,NN:128x784x256,NT:128x10x256,NT:10x512x784,"
        + "NN:10x784x512,NN:2048x2048x2048")
    let repeats = options.int("repeats", 200)
    var rng = SeededGenerator(seed: 1)
    var out: [String: Any] = ["work": "gemm"]
    for shape in shapes.split(separator: ",") {
      let parts = shape.split(separator: ":")
      let sizes = parts[1].split(separator: "x").map { Int($0)! }
      let (m, n, k) = (sizes[0], sizes[1], sizes[2])
      let transA: Transpose = parts[0].first == "T" ? .transpose : .none
      let transB: Transpose = parts[0].last == "T" ? .transpose : .none
      let a = rng.uniforms(m * k)
      let b = rng.uniforms(k * n)
      var c = [Float](repeating: 0, count: m * n)
      let reps = max(3, min(repeats, Int(2e9 / (2 * Double(m * n * k)))))
      var best = Double.infinity
      for _ in 0..<3 {
        let start = Date()
        for _ in 0..<reps {
          BLAS.gemm(
            transA, transB, m: m, n: n, k: k, alpha: 1, a: a, lda: transA == .none ? k : m, b: b,
            ldb: transB == .none ? n : k, beta: 0, c: &c, ldc: n)
        }
        best = min(best, Date().timeIntervalSince(start) / Double(reps))
      }
      out[String(shape)] = 2 * Double(m * n * k) / best / 1e9
    }
    return out
  }

  /// Microseconds per `parallelFor` job of two empty chunks: the pool's dispatch cost.
  static func poolLatency(_ options: Options) -> [String: Any] {
    let jobs = options.int("jobs", 100_000)
    let start = Date()
    for _ in 0..<jobs { parallelFor(2, minimumChunk: 1) { _ in } }
    return ["work": "pool", "microseconds": Date().timeIntervalSince(start) / Double(jobs) * 1e6]
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
