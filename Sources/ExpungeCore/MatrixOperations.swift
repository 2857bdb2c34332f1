/// Elementwise arithmetic, broadcasts and reductions on `Matrix`.
///
/// These loops are memory-bound; they run over raw buffers so the optimizer vectorizes them.
extension Matrix {
  private func zipWith(_ other: Matrix, _ op: (Float, Float) -> Float) -> Matrix {
    precondition(
      rows == other.rows && cols == other.cols,
      "elementwise operands are \(rows)×\(cols) and \(other.rows)×\(other.cols)")
    return storage.withUnsafeBufferPointer { a in
      other.storage.withUnsafeBufferPointer { b in
        Matrix(rows: rows, cols: cols) { out in
          for i in 0..<out.count { out[i] = op(a[i], b[i]) }
        }
      }
    }
  }

  /// `lhs + rhs`, elementwise.
  public static func + (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.zipWith(rhs, +) }
  /// `lhs − rhs`, elementwise.
  public static func - (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.zipWith(rhs, -) }
  /// Elementwise (Hadamard) product.
  public func hadamard(_ other: Matrix) -> Matrix { zipWith(other, *) }

  /// `scalar · matrix`.
  public static func * (scalar: Float, m: Matrix) -> Matrix { m.map { scalar * $0 } }

  /// Applies `transform` to every element.
  public func map(_ transform: (Float) -> Float) -> Matrix {
    storage.withUnsafeBufferPointer { a in
      Matrix(rows: rows, cols: cols) { out in
        for i in 0..<out.count { out[i] = transform(a[i]) }
      }
    }
  }

  /// Adds `vector` (length `cols`) to every row: the bias broadcast.
  public mutating func addToEachRow(_ vector: [Float]) {
    precondition(vector.count == cols, "row vector has \(vector.count) elements, expected \(cols)")
    let (rows, cols) = (self.rows, self.cols)
    storage.withUnsafeMutableBufferPointer { a in
      vector.withUnsafeBufferPointer { v in
        for r in 0..<rows {
          let row = a.baseAddress! + r * cols
          for c in 0..<cols { row[c] += v[c] }
        }
      }
    }
  }

  /// Column sums (length `cols`), accumulated in `Double`.
  public func columnSums() -> [Float] {
    var acc = [Double](repeating: 0, count: cols)
    storage.withUnsafeBufferPointer { a in
      for r in 0..<rows {
        for c in 0..<cols { acc[c] += Double(a[r * cols + c]) }
      }
    }
    return acc.map { Float($0) }
  }

  /// Row sums (length `rows`), accumulated in `Double`.
  public func rowSums() -> [Float] {
    storage.withUnsafeBufferPointer { a in
      (0..<rows).map { r in
        var s: Double = 0
        for c in 0..<cols { s += Double(a[r * cols + c]) }
        return Float(s)
      }
    }
  }

  /// Sum of all elements, accumulated in `Double`.
  public func sum() -> Double {
    storage.withUnsafeBufferPointer { a in
      var s: Double = 0
      for x in a { s += Double(x) }
      return s
    }
  }

  /// Index of the largest element of each row (the first one on ties).
  public func argmaxRows() -> [Int] {
    storage.withUnsafeBufferPointer { a in
      (0..<rows).map { r in
        var best = 0
        var bestValue = -Float.infinity
        for c in 0..<cols where a[r * cols + c] > bestValue {
          bestValue = a[r * cols + c]
          best = c
        }
        return best
      }
    }
  }

  /// Frobenius norm, accumulated in `Double`.
  public func frobeniusNorm() -> Double {
    storage.withUnsafeBufferPointer { a in
      var s: Double = 0
      for x in a { s += Double(x) * Double(x) }
      return s.squareRoot()
    }
  }

  /// Largest absolute difference to `other` (for tests and tolerances).
  public func maxAbsDifference(_ other: Matrix) -> Float {
    precondition(
      rows == other.rows && cols == other.cols,
      "shapes \(rows)×\(cols) and \(other.rows)×\(other.cols)")
    var m: Float = 0
    for i in 0..<storage.count { m = Swift.max(m, abs(storage[i] - other.storage[i])) }
    return m
  }

  /// Whether every element is finite (no NaN, no ±∞).
  public var allFinite: Bool { storage.allSatisfy { $0.isFinite } }
}
