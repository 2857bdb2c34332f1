import ExpungeCore

/// Reproducible Gaussian-cluster classification data: `synthetic:n=…,d=…,classes=…,seed=…`.
///
/// Class `c` has mean `μ_c ~ N(0, sep²·I)`; each row is `μ_y + N(0, I)`. Labels are balanced
/// (row `i` gets class `i mod classes`, then the rows are shuffled). Everything follows from
/// `seed` through `SeededGenerator`, so the same spec gives the same bytes everywhere.
public struct SyntheticSpec: Sendable, Equatable {
  /// Rows. Default 1 000.
  public var n = 1_000
  /// Features. Default 20.
  public var d = 20
  /// Classes. Default 3.
  public var classes = 3
  /// Seed. Default 0.
  public var seed: UInt64 = 0
  /// Spread of the class means (larger is easier). Default 2.
  public var separation: Double = 2

  public init() {}

  /// Parses the part after `synthetic:` (e.g. `n=500,d=4`); empty keeps every default.
  public init(parsing text: String, source: String) throws {
    self.init()
    for pair in text.split(separator: ",") where !pair.isEmpty {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      func bad(_ expected: String) -> DataError {
        .invalid("\(source): '\(pair)' is invalid; expected \(expected)")
      }
      guard parts.count == 2 else { throw bad("key=value with key n, d, classes, seed or sep") }
      let (key, value) = (parts[0], parts[1])
      switch key {
      case "n":
        guard let v = Int(value), v >= 1 else { throw bad("n ≥ 1") }
        n = v
      case "d":
        guard let v = Int(value), v >= 1 else { throw bad("d ≥ 1") }
        d = v
      case "classes":
        guard let v = Int(value), v >= 2 else { throw bad("classes ≥ 2") }
        classes = v
      case "seed":
        guard let v = UInt64(value) else { throw bad("a non-negative integer seed") }
        seed = v
      case "sep":
        guard let v = Double(value), v.isFinite, v >= 0 else { throw bad("sep ≥ 0") }
        separation = v
      default:
        throw bad("key n, d, classes, seed or sep")
      }
    }
  }

  /// Draws the dataset.
  public func generate(source: String) -> Dataset {
    let root = SeededGenerator(seed: seed)
    var meansRNG = root.derived("means")
    let means = meansRNG.normals(classes * d, std: Float(separation))
    var labels = (0..<n).map { Int32($0 % classes) }
    var orderRNG = root.derived("labels")
    orderRNG.shuffle(&labels)
    var noise = root.derived("rows")
    let x = Matrix(rows: n, cols: d) { out in
      for i in 0..<n {
        let c = Int(labels[i])
        for j in 0..<d { out[i * d + j] = means[c * d + j] + Float(noise.nextNormal()) }
      }
    }
    return Dataset(
      ids: (0..<n).map { SampleID(UInt64($0)) }, features: x, labels: labels, classCount: classes,
      source: source)
  }
}
