/// One entry of a CNN's layer description, written as in `--layers`:
///
///     conv32x3    a 3×3 convolution with 32 filters (stride 1, no padding), then the activation
///     pool2       2×2 max-pooling, stride 2
///     dense128    a fully connected layer of 128 units, then the activation
///
/// The description `conv32x3,pool2,conv64x3,pool2,dense128` is the default Fashion-MNIST
/// network; the output layer (one unit per class, no activation) is always appended, and the
/// image is flattened before the first dense layer.
public enum CNNLayerSpec: Codable, Sendable, Hashable, CustomStringConvertible {
  case convolution(filters: Int, kernelSize: Int)
  case maxPool(size: Int)
  case dense(units: Int)

  public var description: String {
    switch self {
    case .convolution(let f, let k): "conv\(f)x\(k)"
    case .maxPool(let s): "pool\(s)"
    case .dense(let u): "dense\(u)"
    }
  }

  /// Parses one entry (`conv32x3`, `pool2`, `dense128`); nil unless every number is ≥ 1.
  public init?(parsing text: String) {
    let t = text.lowercased()
    func number(_ s: Substring) -> Int? { Int(s).flatMap { $0 >= 1 ? $0 : nil } }
    if t.hasPrefix("conv") {
      let parts = t.dropFirst(4).split(separator: "x", omittingEmptySubsequences: false)
      guard parts.count == 2, let f = number(parts[0]), let k = number(parts[1]) else {
        return nil
      }
      self = .convolution(filters: f, kernelSize: k)
    } else if t.hasPrefix("pool"), let s = number(t.dropFirst(4)) {
      self = .maxPool(size: s)
    } else if t.hasPrefix("dense"), let u = number(t.dropFirst(5)) {
      self = .dense(units: u)
    } else {
      return nil
    }
  }

  /// Parses a comma-separated description; nil if any entry is malformed. An empty text is
  /// no hidden layer (softmax regression on the pixels).
  public static func parseList(_ text: String) -> [CNNLayerSpec]? {
    let entries = text.split(separator: ",").map { $0.filter { !$0.isWhitespace } }
    var result: [CNNLayerSpec] = []
    for e in entries {
      guard let spec = CNNLayerSpec(parsing: e) else { return nil }
      result.append(spec)
    }
    return result
  }

  /// The form `--layers` takes, for help and errors.
  public static let syntax = "comma-separated convFxK, poolS, denseN (e.g. conv32x3,pool2,dense128)"

  public init(from decoder: Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let spec = CNNLayerSpec(parsing: text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "not a layer: '\(text)'"))
    }
    self = spec
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
}
