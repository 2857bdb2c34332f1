/// The name of a registered model family: what `--model` takes and a model directory's
/// `config.json` records. Each family declares its own constant (`ModelKind.mlp` in the
/// MLP's files); `ModelRegistry` lists the families.
public struct ModelKind: RawRepresentable, Hashable, Codable, Sendable, CaseIterable,
  CustomStringConvertible
{
  public let rawValue: String

  /// The kind named `rawValue`, if a family of that name is registered.
  public init?(rawValue: String) {
    guard ModelRegistry.family(of: rawValue) != nil else { return nil }
    self.rawValue = rawValue
  }

  /// A family's own constant; only the family's declaration uses it.
  init(declaring name: String) { rawValue = name }

  /// Every registered kind, in registration order.
  public static var allCases: [ModelKind] { ModelRegistry.families.map { $0.kind } }

  public var description: String { rawValue }

  public init(from decoder: Decoder) throws {
    let name = try decoder.singleValueContainer().decode(String.self)
    guard let kind = ModelKind(rawValue: name) else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription: "unknown model kind '\(name)' (this Expunge knows "
            + ModelKind.allCases.map(\.rawValue).joined(separator: ", ") + ")"))
    }
    self = kind
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
}
