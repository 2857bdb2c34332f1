import ExpungeCore

/// All of a model's parameters in one flat `Float` buffer, with named views into it.
///
/// Names are dotted paths (`layers.0.weight`) kept in sorted order, as safetensors and
/// MLX do. Because everything lives in one vector, optimizer steps, Fisher diagonals,
/// saliency masks, parameter distances and checkpoints are single loops over `values`.
public struct ParameterBuffer: Sendable, Equatable {
  /// One named tensor: its shape and where its elements start in `values`.
  public struct View: Sendable, Equatable, Codable {
    public var name: String
    public var shape: [Int]
    public var offset: Int
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
  }

  /// The views, sorted by name; they tile `values` without gaps or overlap.
  public private(set) var views: [View]
  /// Every parameter, view after view.
  public var values: [Float]

  /// A zero-filled buffer with one view per `(name, shape)`; names are sorted and must be unique.
  public init(layout: [(name: String, shape: [Int])]) {
    let sorted = layout.sorted { $0.name < $1.name }
    precondition(
      Set(sorted.map(\.name)).count == sorted.count, "ParameterBuffer: duplicate parameter names")
    var offset = 0
    views = sorted.map { entry in
      defer { offset += entry.shape.reduce(1, *) }
      return View(name: entry.name, shape: entry.shape, offset: offset)
    }
    values = [Float](repeating: 0, count: offset)
  }

  /// A buffer with the given views over existing values (e.g. read from a file).
  public init(views: [View], values: [Float]) {
    precondition(
      views.map(\.count).reduce(0, +) == values.count,
      "ParameterBuffer: views cover \(views.map(\.count).reduce(0, +)) values, buffer has \(values.count)"
    )
    self.views = views.sorted { $0.name < $1.name }
    self.values = values
  }

  /// Total number of parameters.
  public var count: Int { values.count }

  /// The view named `name`; traps if there is none (a programmer error).
  public func view(_ name: String) -> View {
    guard let v = views.first(where: { $0.name == name }) else {
      preconditionFailure("no parameter named '\(name)'; have \(views.map(\.name))")
    }
    return v
  }

  /// A copy of the named tensor's elements.
  public subscript(name: String) -> [Float] {
    get { Array(values[view(name).range]) }
    set {
      let v = view(name)
      precondition(
        newValue.count == v.count,
        "\(name): \(newValue.count) values, expected \(v.count) \(v.shape)")
      values.replaceSubrange(v.range, with: newValue)
    }
  }

  /// The named 2-D tensor as a `Matrix` copy.
  public func matrix(_ name: String) -> Matrix {
    let v = view(name)
    precondition(v.shape.count == 2, "\(name) has shape \(v.shape), not 2-D")
    return Matrix(rows: v.shape[0], cols: v.shape[1], storage: self[name])
  }

  /// Euclidean distance between two buffers of the same layout.
  public func distance(to other: ParameterBuffer) -> Double {
    precondition(views == other.views, "parameter layouts differ")
    var s: Double = 0
    for i in 0..<values.count {
      let d = Double(values[i]) - Double(other.values[i])
      s += d * d
    }
    return s.squareRoot()
  }
}
