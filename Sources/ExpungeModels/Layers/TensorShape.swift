/// The shape of one example as it flows through a layer stack: `height × width × channels`,
/// stored channels-last (`(h, w, c)` row-major, so a pixel's channels are adjacent). A flat
/// vector of `n` features is `1 × 1 × n`.
public struct TensorShape: Codable, Sendable, Hashable, CustomStringConvertible {
  /// Rows of the image (1 for a flat vector).
  public var height: Int
  /// Columns of the image (1 for a flat vector).
  public var width: Int
  /// Values per pixel (features of a flat vector).
  public var channels: Int

  public init(height: Int, width: Int, channels: Int) {
    self.height = height
    self.width = width
    self.channels = channels
  }

  /// A flat vector of `count` features.
  public static func flat(_ count: Int) -> TensorShape {
    TensorShape(height: 1, width: 1, channels: count)
  }

  /// Values per example.
  public var count: Int { height * width * channels }

  /// `28x28x1`.
  public var description: String { "\(height)x\(width)x\(channels)" }

  /// Parses `HxWxC` (`28x28x1`) or `HxW` (one channel); nil unless every part is ≥ 1.
  public init?(parsing text: String) {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
      .map { Int($0) }
    guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
      return nil
    }
    self.init(height: parts[0]!, width: parts[1]!, channels: parts.count == 3 ? parts[2]! : 1)
  }

  /// The square single-channel image with `featureCount` pixels (784 → 28×28×1), or nil when
  /// `featureCount` is not a perfect square.
  public static func squareImage(featureCount: Int) -> TensorShape? {
    let side = Int(Double(featureCount).squareRoot().rounded())
    guard side >= 1, side * side == featureCount else { return nil }
    return TensorShape(height: side, width: side, channels: 1)
  }
}
