import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// Shared fixtures of the MLP, layer and optimizer tests: seeded synthetic data and an
/// independent double-precision reference of the network written from the definition.
enum MLPFixtures {
  /// `n` rows in `k` Gaussian blobs (unit variance around centres `separation` apart along
  /// distinct axes), `d ≥ k` features, labels cycling through the classes.
  static func blobs(n: Int, d: Int, k: Int, separation: Float = 4, seed: UInt64 = 7) -> Dataset {
    var rng = SeededGenerator(seed: seed)
    var x = Matrix(rows: n, cols: d)
    var y = [Int32](repeating: 0, count: n)
    for i in 0..<n {
      let c = i % k
      y[i] = Int32(c)
      for j in 0..<d { x[i, j] = Float(rng.nextNormal()) + (j == c ? separation : 0) }
    }
    return Dataset(
      ids: (0..<n).map { SampleID(UInt64($0)) }, features: x, labels: y, classCount: k,
      source: "blobs")
  }

  /// A small config with the given hidden widths and activation.
  static func config(
    hidden: [Int], activation: Activation = .relu, optimizer: OptimizerKind = .adam,
    epochs: Int = 3, batchSize: Int = 16, seed: UInt64 = 1
  ) -> MLPConfig {
    var c = MLPConfig()
    c.hidden = hidden
    c.activation = activation
    c.optimizer = optimizer
    c.epochs = epochs
    c.batchSize = batchSize
    c.seed = seed
    c.learningRate = optimizer == .adam ? 1e-2 : 0.05
    return c
  }

  static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
}

/// The network's mean cross-entropy recomputed in `Double` from the flat parameters, with
/// loops written straight from the definition (no BLAS, no shared code with the library).
struct ReferenceMLP {
  let widths: [Int]
  let activation: Activation
  let weightOffsets: [Int]
  let biasOffsets: [Int]

  init(_ model: MLP) {
    widths = model.layerWidths
    activation = model.config.activation
    weightOffsets = (0..<(widths.count - 1)).map {
      model.parameters.view("layers.\($0).weight").offset
    }
    biasOffsets = (0..<(widths.count - 1)).map {
      model.parameters.view("layers.\($0).bias").offset
    }
  }

  /// Logits of one row, and the smallest |pre-activation| met in the hidden layers.
  func logits(_ theta: [Double], row x: [Double]) -> (logits: [Double], minAbsPre: Double) {
    var h = x
    var minAbs = Double.infinity
    for l in 0..<(widths.count - 1) {
      let (fanIn, fanOut) = (widths[l], widths[l + 1])
      var z = [Double](repeating: 0, count: fanOut)
      for o in 0..<fanOut {
        var s = theta[biasOffsets[l] + o]
        for i in 0..<fanIn { s += theta[weightOffsets[l] + o * fanIn + i] * h[i] }
        z[o] = s
      }
      if l < widths.count - 2 {
        minAbs = min(minAbs, z.map(abs).min()!)
        h = z.map { activation == .relu ? max($0, 0) : Foundation.tanh($0) }
      } else {
        h = z
      }
    }
    return (h, minAbs)
  }

  /// `(1/n) Σ −log softmax(logits)_y` in `Double`.
  func meanLoss(_ theta: [Double], data: Dataset) -> Double {
    var total = 0.0
    for r in 0..<data.count {
      let z = logits(theta, row: data.features.row(r).map(Double.init)).logits
      let m = z.max()!
      let lse = m + Foundation.log(z.map { Foundation.exp($0 - m) }.reduce(0, +))
      total += lse - z[Int(data.labels[r])]
    }
    return total / Double(data.count)
  }

  /// Smallest |pre-activation| over every hidden unit and row: how far the data is from a
  /// ReLU kink.
  func minAbsPreActivation(_ theta: [Double], data: Dataset) -> Double {
    (0..<data.count).map { logits(theta, row: data.features.row($0).map(Double.init)).minAbsPre }
      .min()!
  }

  /// Central-difference gradient of `meanLoss` in `Double` with step `h`.
  func numericalGradient(_ theta: [Double], data: Dataset, h: Double) -> [Double] {
    var t = theta
    return (0..<theta.count).map { i in
      t[i] = theta[i] + h
      let up = meanLoss(t, data: data)
      t[i] = theta[i] - h
      let down = meanLoss(t, data: data)
      t[i] = theta[i]
      return (up - down) / (2 * h)
    }
  }
}
