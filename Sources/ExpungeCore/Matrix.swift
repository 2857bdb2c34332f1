/// A dense, row-major matrix of `Float`, with value semantics.
///
/// Storage is a Swift `Array`, so copies are cheap until one side writes (copy-on-write) and
/// the type is `Sendable`. Element `(r, c)` lives at `storage[r * cols + c]`.
///
/// Shape mistakes are programmer errors: they trap with a message that prints both shapes.
public struct Matrix: Sendable, Equatable, Hashable {
  /// Number of rows.
  public private(set) var rows: Int
  /// Number of columns.
  public private(set) var cols: Int
  /// The elements, row-major; `storage.count == rows * cols`.
  public var storage: [Float] {
    didSet {
      precondition(
        storage.count == rows * cols,
        "Matrix storage has \(storage.count) elements, expected \(rows)×\(cols)")
    }
  }

  /// A matrix whose every element is `value`.
  public init(rows: Int, cols: Int, repeating value: Float = 0) {
    precondition(rows >= 0 && cols >= 0, "Matrix shape must be non-negative, got \(rows)×\(cols)")
    self.rows = rows
    self.cols = cols
    self.storage = [Float](repeating: value, count: rows * cols)
  }

  /// A matrix over existing row-major storage.
  public init(rows: Int, cols: Int, storage: [Float]) {
    precondition(
      storage.count == rows * cols,
      "Matrix storage has \(storage.count) elements, expected \(rows)×\(cols)")
    self.rows = rows
    self.cols = cols
    self.storage = storage
  }

  /// A matrix from nested rows (each inner array is one row). Convenient in tests.
  public init(_ rowArrays: [[Float]]) {
    let cols = rowArrays.first?.count ?? 0
    precondition(rowArrays.allSatisfy { $0.count == cols }, "Matrix rows have unequal lengths")
    self.init(rows: rowArrays.count, cols: cols, storage: rowArrays.flatMap { $0 })
  }

  /// A matrix whose storage is written by `initializer`, which must set every element.
  public init(
    rows: Int, cols: Int,
    unsafeUninitializedStorage initializer: (UnsafeMutableBufferPointer<Float>) throws -> Void
  ) rethrows {
    self.rows = rows
    self.cols = cols
    self.storage = try [Float](unsafeUninitializedCapacity: rows * cols) { buffer, count in
      try initializer(buffer)
      count = rows * cols
    }
  }

  /// The all-zero `rows × cols` matrix.
  public static func zeros(_ rows: Int, _ cols: Int) -> Matrix {
    Matrix(rows: rows, cols: cols, repeating: 0)
  }

  /// The `n × n` identity.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix.zeros(n, n)
    for i in 0..<n { m.storage[i * n + i] = 1 }
    return m
  }

  /// `(rows, cols)`.
  public var shape: (rows: Int, cols: Int) { (rows, cols) }

  /// Number of elements.
  public var count: Int { rows * cols }

  /// Element at row `r`, column `c`.
  @inlinable
  public subscript(r: Int, c: Int) -> Float {
    get { storage[r * cols + c] }
    set { storage[r * cols + c] = newValue }
  }

  /// A copy of row `r`.
  public func row(_ r: Int) -> [Float] {
    precondition(r >= 0 && r < rows, "row \(r) out of range for a \(rows)×\(cols) matrix")
    return Array(storage[(r * cols)..<((r + 1) * cols)])
  }

  /// The rows at `indices`, in that order (a gather). Used for minibatches and subsets.
  /// - Complexity: O(indices.count × cols).
  public func gatherRows<C: Collection>(_ indices: C) -> Matrix where C.Element == Int {
    let cols = self.cols
    let n = indices.count
    return storage.withUnsafeBufferPointer { src in
      Matrix(rows: n, cols: cols) { dst in
        for (k, r) in indices.enumerated() {
          precondition(r >= 0 && r < rows, "row \(r) out of range for a \(rows)×\(cols) matrix")
          dst.baseAddress!.advanced(by: k * cols)
            .update(from: src.baseAddress!.advanced(by: r * cols), count: cols)
        }
      }
    }
  }

  /// Writes rows `indices` of `self` into `destination` (which must be `indices.count × cols`),
  /// reusing its storage. The allocation-free form of `gatherRows`.
  public func gatherRows(_ indices: ArraySlice<Int>, into destination: inout Matrix) {
    precondition(
      destination.rows == indices.count && destination.cols == cols,
      "gather destination is \(destination.rows)×\(destination.cols), expected \(indices.count)×\(cols)"
    )
    let cols = self.cols
    storage.withUnsafeBufferPointer { src in
      destination.storage.withUnsafeMutableBufferPointer { dst in
        for (k, r) in indices.enumerated() {
          dst.baseAddress!.advanced(by: k * cols)
            .update(from: src.baseAddress!.advanced(by: r * cols), count: cols)
        }
      }
    }
  }

  /// The transpose, as a new matrix.
  public func transposed() -> Matrix {
    var t = Matrix.zeros(cols, rows)
    storage.withUnsafeBufferPointer { a in
      t.storage.withUnsafeMutableBufferPointer { b in
        // Blocked so both sides stay in cache.
        let block = 32
        for r0 in stride(from: 0, to: rows, by: block) {
          for c0 in stride(from: 0, to: cols, by: block) {
            for r in r0..<min(r0 + block, rows) {
              for c in c0..<min(c0 + block, cols) { b[c * rows + r] = a[r * cols + c] }
            }
          }
        }
      }
    }
    return t
  }

  /// Reinterprets the same elements with a new shape of equal size.
  public func reshaped(rows: Int, cols: Int) -> Matrix {
    Matrix(rows: rows, cols: cols, storage: storage)
  }

  /// Rows `range` as a new matrix.
  public func rows(_ range: Range<Int>) -> Matrix {
    precondition(
      range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of 0..<\(rows)")
    return Matrix(
      rows: range.count, cols: cols,
      storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
  }
}

extension Matrix: CustomStringConvertible {
  public var description: String {
    let shown = (0..<min(rows, 6)).map { r in
      "["
        + (0..<min(cols, 8)).map { String(format: "%.4g", Double(self[r, $0])) }
        .joined(separator: ", ") + (cols > 8 ? ", …" : "") + "]"
    }
    return "Matrix(\(rows)×\(cols)) [" + shown.joined(separator: ", ") + (rows > 6 ? ", …" : "")
      + "]"
  }
}
