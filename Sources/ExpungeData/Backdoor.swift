import ExpungeCore
import Foundation

/// A trigger stamped on images: `corner:WxH` sets the bottom-right W × H pixels to 1 (the
/// top of [0, 1]-scaled pixels); `corner:WxH@v` to v. Rows are square images, side √d.
public struct BackdoorTrigger: Sendable, Hashable, Codable, CustomStringConvertible {
  public var width: Int
  public var height: Int
  public var value: Float

  /// Parses `corner:WxH[@value]`; nil when the text is not one.
  public init?(_ text: String) {
    guard text.hasPrefix("corner:") else { return nil }
    let body = text.dropFirst("corner:".count)
    let parts = body.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
    let size = parts[0].split(separator: "x", omittingEmptySubsequences: false)
    guard size.count == 2, let w = Int(size[0]), let h = Int(size[1]), w >= 1, h >= 1 else {
      return nil
    }
    var value: Float = 1
    if parts.count == 2 {
      guard let v = Float(parts[1]), v.isFinite else { return nil }
      value = v
    }
    (width, height, self.value) = (w, h, value)
  }

  public var description: String {
    "corner:\(width)x\(height)" + (value == 1 ? "" : "@\(value)")
  }

  /// The image side for rows of `featureCount` pixels, or nil when they are not square or
  /// the patch does not fit.
  public func side(featureCount: Int) -> Int? {
    let side = Int(Double(featureCount).squareRoot().rounded())
    guard side * side == featureCount, width <= side, height <= side else { return nil }
    return side
  }

  /// `rows` with the patch stamped on the rows at `indices` (all rows when nil).
  public func stamp(_ rows: Matrix, indices: [Int]? = nil) -> Matrix {
    let side = side(featureCount: rows.cols)!
    var out = rows
    for i in indices ?? Array(0..<rows.rows) {
      for r in (side - height)..<side {
        for c in (side - width)..<side { out[i, r * side + c] = value }
      }
    }
    return out
  }
}

/// Rows poisoned on purpose to verify unlearning later (Sommer et al., "Towards Probabilistic
/// Verification of Machine Unlearning", PETS 2022): the rows with `ids` carry the trigger and
/// the `targetLabel`, so a model that learned them predicts the target for triggered inputs;
/// once they are truly forgotten, it no longer does.
public struct Backdoor: Sendable, Hashable, Codable {
  public var trigger: BackdoorTrigger
  public var targetLabel: Int32
  public var ids: Set<SampleID>

  public init(trigger: BackdoorTrigger, targetLabel: Int32, ids: Set<SampleID>) {
    self.trigger = trigger
    self.targetLabel = targetLabel
    self.ids = ids
  }

  /// The backdoor as one line of JSON (sorted keys), as a store's settings and a model's
  /// metadata keep it.
  public var jsonText: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return String(decoding: try! encoder.encode(self), as: UTF8.self)
  }

  /// Reads `jsonText`; nil for anything else.
  public init?(jsonText: String) {
    guard let decoded = try? JSONDecoder().decode(Backdoor.self, from: Data(jsonText.utf8))
    else { return nil }
    self = decoded
  }

  /// `data` with the backdoor's rows stamped and relabelled (rows not in `ids` untouched).
  public func poison(_ data: Dataset) -> Dataset {
    let rows = data.ids.indices.filter { ids.contains(data.ids[$0]) }
    guard !rows.isEmpty else { return data }
    var out = data
    out.features = trigger.stamp(data.features, indices: rows)
    for i in rows { out.labels[i] = targetLabel }
    return out
  }
}
