import ExpungeCore
import Foundation

/// A file of named arrays of 64-bit values (Double or UInt64) and a JSON description, for
/// removal state a store keeps beside a model (a ridge fit's factor and sums): binary, so a
/// 784 × 784 factor in double precision reads in milliseconds and round-trips bit for bit.
///
///     "EXPUNGE-STATE-1\n"
///     [8 bytes: JSON length J, little-endian]  [J bytes: JSON]
///         {"metadata": {…}, "arrays": [{"name": …, "type": "f64"|"u64", "count": …}, …]}
///     [the arrays' values in that order, 8 bytes each, little-endian]
///
/// Written atomically (`AtomicFile`); reading checks the magic, the JSON and that the sizes
/// add up exactly.
public struct StateArchive: Equatable, Sendable {
  public var metadata: [String: String] = [:]
  public var doubles: [String: [Double]] = [:]
  public var integers: [String: [UInt64]] = [:]

  static let magic = Array("EXPUNGE-STATE-1\n".utf8)

  public init(
    metadata: [String: String] = [:], doubles: [String: [Double]] = [:],
    integers: [String: [UInt64]] = [:]
  ) {
    self.metadata = metadata
    self.doubles = doubles
    self.integers = integers
  }

  struct Entry: Codable {
    var name: String
    var type: String
    var count: Int
  }
  struct Header: Codable {
    var metadata: [String: String]
    var arrays: [Entry]
  }

  public func encode() throws -> Data {
    let entries =
      doubles.keys.sorted().map { Entry(name: $0, type: "f64", count: doubles[$0]!.count) }
      + integers.keys.sorted().map { Entry(name: $0, type: "u64", count: integers[$0]!.count) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try encoder.encode(Header(metadata: metadata, arrays: entries))
    var data = Data(Self.magic)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for entry in entries {
      let bits =
        entry.type == "f64" ? doubles[entry.name]!.map(\.bitPattern) : integers[entry.name]!
      for v in bits { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    }
    return data
  }

  public func write(to url: URL) throws { try AtomicFile.write(try encode(), to: url) }

  /// - Throws: `StoreError.corrupt` naming the file for anything that does not add up.
  public static func read(_ url: URL) throws -> StateArchive {
    func corrupt(_ reason: String) -> StoreError { .corrupt(path: url.path, reason: reason) }
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw corrupt("cannot read the file")
    }
    let bytes = [UInt8](data)
    func word(_ at: Int) -> UInt64 {
      var v: UInt64 = 0
      for j in (0..<8).reversed() { v = v << 8 | UInt64(bytes[at + j]) }
      return v
    }
    let start = magic.count
    guard bytes.count >= start + 8, Array(bytes[0..<start]) == magic else {
      throw corrupt("not an expunge state file")
    }
    let length = word(start)
    guard length <= UInt64(bytes.count - start - 8) else { throw corrupt("truncated header") }
    let body = start + 8 + Int(length)
    guard
      let header = try? JSONDecoder().decode(
        Header.self, from: Data(bytes[(start + 8)..<body]))
    else { throw corrupt("the header is not valid") }
    let total = header.arrays.reduce(0) { $0 + max($1.count, 0) }
    guard header.arrays.allSatisfy({ $0.count >= 0 }), bytes.count == body + 8 * total else {
      throw corrupt("\(bytes.count - body) bytes of values, the header describes \(8 * total)")
    }
    var archive = StateArchive(metadata: header.metadata)
    var at = body
    for entry in header.arrays {
      let values = (0..<entry.count).map { word(at + 8 * $0) }
      at += 8 * entry.count
      switch entry.type {
      case "f64": archive.doubles[entry.name] = values.map(Double.init(bitPattern:))
      case "u64": archive.integers[entry.name] = values
      default: throw corrupt("array '\(entry.name)' has unknown type '\(entry.type)'")
      }
    }
    return archive
  }
}
