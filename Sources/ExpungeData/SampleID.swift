/// A stable 64-bit identity for one training row.
///
/// It comes from the data file's id column when there is one (so deleting other rows from
/// the file keeps every remaining row's id), or from the row's 0-based position at load time.
/// Every forget request, shard assignment and ledger entry keys on it.
public struct SampleID: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  CustomStringConvertible
{
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  public init(_ value: UInt64) { self.rawValue = value }

  public static func < (a: SampleID, b: SampleID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { String(rawValue) }

  public init(from decoder: Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(UInt64.self)
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
}
