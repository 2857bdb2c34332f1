import ExpungeCore

/// A fixed affine map of every feature, chosen before any data is seen (`--scale`):
///
///     x′ = (x − subtract) · multiplyBy
///
/// Unlike `Standardizer` it depends on no training row, so it is the same for every shard of
/// a store and does not change when rows are forgotten. It is applied before a standardizer
/// when both are used. The field names say the direction: `multiplyBy` multiplies
/// (`--scale 1/255` records `multiplyBy` = 0.003921569), whereas a standardizer's
/// `preprocess.scale` is a standard deviation that inputs are divided by.
public struct FeatureScaling: Codable, Sendable, Hashable, CustomStringConvertible {
  /// Subtracted from every feature first (0 unless the scaling is `minmax:`).
  public var subtract: Float
  /// Every feature minus `subtract` is then multiplied by this (finite, non-zero).
  public var multiplyBy: Float

  public init(subtract: Float = 0, multiplyBy: Float) {
    precondition(
      subtract.isFinite && multiplyBy.isFinite && multiplyBy != 0,
      "FeatureScaling: subtract \(subtract), multiplyBy \(multiplyBy)")
    self.subtract = subtract
    self.multiplyBy = multiplyBy
  }

  /// The forms `--scale` accepts, for messages.
  public static let forms =
    "a non-zero factor to multiply by (0.5), a fraction (1/255) or minmax:LOW,HIGH with LOW < HIGH (maps LOW…HIGH to 0…1)"

  /// Reads `--scale`'s forms: `F` multiplies by F, `A/B` by A ÷ B (computed in double
  /// precision, then rounded once to `Float`), `minmax:LOW,HIGH` subtracts LOW and multiplies
  /// by 1 ÷ (HIGH − LOW). Returns nil for anything else, and for a factor that is zero or
  /// not finite, or LOW ≥ HIGH.
  public init?(parsing text: String) {
    func number(_ part: Substring) -> Double? {
      Double(part.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
    }
    let factor: Double
    var low = 0.0
    if text.hasPrefix("minmax:") {
      let bounds = text.dropFirst("minmax:".count).split(
        separator: ",", omittingEmptySubsequences: false)
      guard bounds.count == 2, let l = number(bounds[0]), let h = number(bounds[1]), l < h
      else { return nil }
      (low, factor) = (l, 1 / (h - l))
    } else if let slash = text.firstIndex(of: "/") {
      guard let a = number(text[..<slash]), let b = number(text[text.index(after: slash)...]),
        b != 0
      else { return nil }
      factor = a / b
    } else {
      guard let f = number(text[...]) else { return nil }
      factor = f
    }
    let (subtract, multiplyBy) = (Float(low), Float(factor))
    guard subtract.isFinite, multiplyBy.isFinite, multiplyBy != 0 else { return nil }
    self.init(subtract: subtract, multiplyBy: multiplyBy)
  }

  /// "x × 0.003921569" or "(x − 2.0) × 0.25".
  public var description: String {
    subtract == 0 ? "x × \(multiplyBy)" : "(x − \(subtract)) × \(multiplyBy)"
  }

  /// `features` mapped, element by element.
  public func transform(_ features: Matrix) -> Matrix {
    var out = features
    let (a, m) = (subtract, multiplyBy)
    out.storage.withUnsafeMutableBufferPointer { x in
      for i in x.indices { x[i] = (x[i] - a) * m }
    }
    return out
  }

  /// `data` with its features mapped.
  public func transform(_ data: Dataset) -> Dataset {
    var out = data
    out.features = transform(data.features)
    return out
  }
}
