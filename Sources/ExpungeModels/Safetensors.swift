import ExpungeCore
import Foundation

/// Reads and writes the safetensors format (https://huggingface.co/docs/safetensors).
///
/// Layout of a file:
///
///     [8 bytes: N, little-endian UInt64]
///     [N bytes: JSON header, space-padded to a multiple of 8]
///         {"__metadata__": {"key": "value", …},
///          "<tensor name>": {"dtype": "F32", "shape": [r, c], "data_offsets": [begin, end]}, …}
///     [byte buffer: tensors, little-endian, offsets relative to the buffer's start]
///
/// Tensors are written in name order (a `ParameterBuffer`'s order), contiguous, without gaps.
/// Reading validates everything a hostile or truncated file could break: header length,
/// JSON, dtypes, offsets in range, no gaps or overlaps, sizes equal to dtype × shape.
public enum Safetensors {
  /// Element types this reader understands.
  public enum DType: String, Sendable {
    case f32 = "F32", f64 = "F64", i32 = "I32", i64 = "I64", u8 = "U8"

    var size: Int {
      switch self {
      case .f32, .i32: 4
      case .f64, .i64: 8
      case .u8: 1
      }
    }
  }

  /// A malformed or unreadable file.
  public struct FormatError: Error, Equatable, CustomStringConvertible {
    public var source: String
    public var reason: String
    public var description: String { "\(source): not a valid safetensors file: \(reason)" }
  }

  /// The bytes of a safetensors file holding `parameters` as F32 tensors, except the tensors
  /// named in `doubles`, written as F64 with those values (a model whose weights live in
  /// double precision).
  public static func encode(
    _ parameters: ParameterBuffer, metadata: [String: String] = [:],
    doubles: [String: [Double]] = [:]
  ) -> Data {
    var header = "{"
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
      entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for view in parameters.views {
      let wide = doubles[view.name] != nil
      precondition(!wide || doubles[view.name]!.count == view.count, "F64 tensor size")
      let (begin, end) = (offset, offset + view.count * (wide ? 8 : 4))
      offset = end
      entries.append(
        "\(jsonString(view.name)):{\"dtype\":\"\(wide ? "F64" : "F32")\",\"shape\":[\(view.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(end)]}"
      )
    }
    header += entries.joined(separator: ",") + "}"
    while header.utf8.count % 8 != 0 { header += " " }
    var data = Data()
    data.reserveCapacity(8 + header.utf8.count + offset)
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    // Bits as little-endian bytes (x86 and arm64 are little-endian; be explicit anyway).
    var bytes = [UInt8](repeating: 0, count: offset)
    var at = 0
    for view in parameters.views {
      if let wide = doubles[view.name] {
        for v in wide {
          withUnsafeBytes(of: v.bitPattern.littleEndian) {
            for j in 0..<8 { bytes[at + j] = $0[j] }
          }
          at += 8
        }
      } else {
        for v in parameters.values[view.range] {
          withUnsafeBytes(of: v.bitPattern.littleEndian) {
            for j in 0..<4 { bytes[at + j] = $0[j] }
          }
          at += 4
        }
      }
    }
    data.append(contentsOf: bytes)
    return data
  }

  /// Writes `parameters` to `url` atomically (temp file, fsync, rename).
  public static func write(
    _ parameters: ParameterBuffer, metadata: [String: String] = [:],
    doubles: [String: [Double]] = [:], to url: URL
  ) throws {
    try AtomicFile.write(encode(parameters, metadata: metadata, doubles: doubles), to: url)
  }

  /// Reads a file written by us or by any safetensors writer; every tensor is converted to
  /// `Float`, and F64 tensors are also returned exactly in `doubles`.
  public static func read(from url: URL) throws -> (
    parameters: ParameterBuffer, metadata: [String: String], doubles: [String: [Double]]
  ) {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw FormatError(source: url.path, reason: "cannot read the file")
    }
    return try decode(data, source: url.path)
  }

  /// Decodes the bytes of a safetensors file; `source` names it in errors.
  public static func decode(_ data: Data, source: String) throws -> (
    parameters: ParameterBuffer, metadata: [String: String], doubles: [String: [Double]]
  ) {
    func fail(_ reason: String) -> FormatError { FormatError(source: source, reason: reason) }
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else {
      throw fail("\(bytes.count) bytes, shorter than the 8-byte header length")
    }
    var n: UInt64 = 0
    for i in (0..<8).reversed() { n = n << 8 | UInt64(bytes[i]) }
    guard n <= UInt64(bytes.count - 8) else {
      throw fail("header length \(n) exceeds the \(bytes.count - 8) bytes after it")
    }
    let headerEnd = 8 + Int(n)
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
    } catch {
      throw fail("the header is not valid JSON")
    }
    guard let header = json as? [String: Any] else { throw fail("the header is not a JSON object") }
    var metadata: [String: String] = [:]
    if let meta = header["__metadata__"] {
      guard let pairs = meta as? [String: Any], pairs.values.allSatisfy({ $0 is String }) else {
        throw fail("__metadata__ must map strings to strings")
      }
      metadata = pairs.mapValues { $0 as! String }
    }
    let bufferSize = bytes.count - headerEnd
    struct Entry {
      var name: String
      var dtype: DType
      var shape: [Int]
      var begin: Int
      var end: Int
    }
    var entries: [Entry] = []
    // In name order, so the first problem reported does not depend on hashing.
    for (name, value) in header.sorted(by: { $0.key < $1.key }) where name != "__metadata__" {
      guard let info = value as? [String: Any],
        let dtypeText = info["dtype"] as? String,
        let shape = (info["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
        let offsets = (info["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
        offsets.count == 2, shape.count == (info["shape"] as? [Any])?.count
      else { throw fail("tensor '\(name)' lacks dtype, shape or data_offsets") }
      guard let dtype = DType(rawValue: dtypeText) else {
        throw fail("tensor '\(name)' has dtype \(dtypeText); supported: F32, F64, I32, I64, U8")
      }
      guard shape.allSatisfy({ $0 >= 0 }) else {
        throw fail("tensor '\(name)' has a negative dimension")
      }
      let (begin, end) = (offsets[0], offsets[1])
      guard 0 <= begin, begin <= end, end <= bufferSize else {
        throw fail(
          "tensor '\(name)' has data_offsets [\(begin), \(end)] outside the \(bufferSize)-byte buffer"
        )
      }
      let expected = shape.reduce(1, *) * dtype.size
      guard end - begin == expected else {
        throw fail(
          "tensor '\(name)' has \(end - begin) bytes, but \(dtypeText) \(shape) needs \(expected)")
      }
      entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
    }
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var covered = 0
    for e in entries {
      guard e.begin == covered else {
        throw fail(
          e.begin < covered
            ? "tensor '\(e.name)' overlaps the tensor before it"
            : "a gap of \(e.begin - covered) bytes before tensor '\(e.name)'")
      }
      covered = e.end
    }
    guard covered == bufferSize else {
      throw fail("\(bufferSize - covered) bytes after the last tensor")
    }

    var views: [ParameterBuffer.View] = []
    var values: [Float] = []
    var doubles: [String: [Double]] = [:]
    values.reserveCapacity(entries.reduce(0) { $0 + $1.shape.reduce(1, *) })
    for e in entries.sorted(by: { $0.name < $1.name }) {
      views.append(ParameterBuffer.View(name: e.name, shape: e.shape, offset: values.count))
      let base = headerEnd + e.begin
      let count = e.shape.reduce(1, *)
      func le(_ at: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for j in (0..<width).reversed() { v = v << 8 | UInt64(bytes[at + j]) }
        return v
      }
      for i in 0..<count {
        let at = base + i * e.dtype.size
        switch e.dtype {
        case .f32: values.append(Float(bitPattern: UInt32(le(at, 4))))
        case .f64:
          let v = Double(bitPattern: le(at, 8))
          doubles[e.name, default: []].append(v)
          values.append(Float(v))
        case .i32: values.append(Float(Int32(bitPattern: UInt32(le(at, 4)))))
        case .i64: values.append(Float(Int64(bitPattern: le(at, 8))))
        case .u8: values.append(Float(bytes[at]))
        }
      }
    }
    return (ParameterBuffer(views: views, values: values), metadata, doubles)
  }

  /// A JSON string literal.
  static func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
