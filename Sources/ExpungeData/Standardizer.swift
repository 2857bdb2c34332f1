import ExpungeCore

/// Per-feature standardization `x′ = (x − mean) / scale`, fitted on training rows only and
/// then applied unchanged to validation, test and prediction data (so no test statistics leak
/// into training). Constant features get scale 1 so they map to 0 instead of NaN.
///
/// `scale` is a standard deviation and inputs are *divided* by it; a model directory saves
/// the two as `preprocess.mean` and `preprocess.scale`. (`FeatureScaling`, the data-independent
/// `--scale`, multiplies instead, and its field names say so.)
public struct Standardizer: Codable, Sendable, Equatable {
  /// Per-feature mean of the training rows.
  public var mean: [Float]
  /// Per-feature standard deviation of the training rows (1 where it is 0): the divisor.
  public var scale: [Float]

  public init(mean: [Float], scale: [Float]) {
    precondition(
      mean.count == scale.count, "Standardizer: \(mean.count) means, \(scale.count) scales")
    self.mean = mean
    self.scale = scale
  }

  /// Fits means and standard deviations (population, accumulated in `Double`) on `features`.
  public init(fitting features: Matrix) {
    let (n, d) = (features.rows, features.cols)
    var sum = [Double](repeating: 0, count: d)
    var sumSquares = [Double](repeating: 0, count: d)
    features.storage.withUnsafeBufferPointer { x in
      for r in 0..<n {
        for c in 0..<d {
          let v = Double(x[r * d + c])
          sum[c] += v
          sumSquares[c] += v * v
        }
      }
    }
    let count = Double(max(n, 1))
    mean = sum.map { Float($0 / count) }
    scale = (0..<d).map { c in
      let m = sum[c] / count
      let variance = max(0, sumSquares[c] / count - m * m)
      let s = variance.squareRoot()
      return s > 1e-12 ? Float(s) : 1
    }
  }

  /// Number of features it was fitted on.
  public var featureCount: Int { mean.count }

  /// `features` standardized; the width must match.
  public func transform(_ features: Matrix) -> Matrix {
    precondition(
      features.cols == mean.count,
      "Standardizer: data has \(features.cols) features, fitted on \(mean.count)")
    let d = features.cols
    var out = features
    let inverse = scale.map { 1 / $0 }
    out.storage.withUnsafeMutableBufferPointer { x in
      for r in 0..<features.rows {
        for c in 0..<d { x[r * d + c] = (x[r * d + c] - mean[c]) * inverse[c] }
      }
    }
    return out
  }

  /// `data` with standardized features.
  public func transform(_ data: Dataset) -> Dataset {
    var out = data
    out.features = transform(data.features)
    return out
  }
}
