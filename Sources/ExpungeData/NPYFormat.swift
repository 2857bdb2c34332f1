import ExpungeCore
import Foundation

/// Reads and writes NumPy's `.npy` format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
///
/// A file is the magic `\x93NUMPY`, a major and minor version byte, the header length
/// (2 bytes little-endian in v1, 4 bytes in v2 and v3), an ASCII (v3: UTF-8) Python dict
/// literal `{'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }` padded so the data
/// starts on a multiple of 64 bytes, then the data. Supported element types: `<f4 <f8 |u1
/// <i4 <i8`; C order only.
public enum NPYFormat {
  /// A decoded array: its shape and its values as `Double` (exact for every supported type
  /// except 64-bit integers beyond 2⁵³).
  public struct Array: Sendable {
    public var shape: [Int]
    public var values: [Double]
  }

  public static func read(_ path: String) throws -> Array {
    guard FileManager.default.fileExists(atPath: path) else {
      throw DataError.unreadable(path: path, reason: "no such file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DataError.unreadable(path: path, reason: "cannot read the file")
    }
    let bytes = [UInt8](data)
    func fail(_ reason: String) -> DataError {
      .malformed(path: path, line: nil, column: nil, reason: reason)
    }
    guard bytes.count >= 10, bytes[0] == 0x93,
      Swift.Array(bytes[1..<6]) == Swift.Array("NUMPY".utf8)
    else {
      throw fail("not an NPY file (bad magic string)")
    }
    let major = bytes[6]
    let (headerLength, headerStart): (Int, Int)
    switch major {
    case 1: (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
    case 2, 3:
      guard bytes.count >= 12 else { throw fail("truncated header") }
      (headerLength, headerStart) = ((0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }, 12)
    default: throw fail("NPY format version \(major) is not supported (1, 2 and 3 are)")
    }
    guard headerStart + headerLength <= bytes.count else { throw fail("truncated header") }
    let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    guard
      let descr = value(of: "descr", in: header)?.trimmingCharacters(
        in: CharacterSet(charactersIn: "'\""))
    else {
      throw fail("the header has no 'descr'")
    }
    if let fortran = value(of: "fortran_order", in: header), fortran == "True" {
      throw fail("Fortran-order arrays are not supported; save with numpy.ascontiguousarray")
    }
    guard let shapeText = value(of: "shape", in: header) else {
      throw fail("the header has no 'shape'")
    }
    let shape = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
      .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      .compactMap { Int($0) }
    let count = shape.reduce(1, *)
    let start = headerStart + headerLength
    let size: Int
    switch descr {
    case "<f4", "<i4": size = 4
    case "<f8", "<i8": size = 8
    case "|u1", "<u1", "u1": size = 1
    default:
      throw fail(
        "dtype '\(descr)' is not supported; use float32 (<f4), float64 (<f8), uint8 (|u1), int32 (<i4) or int64 (<i8)"
      )
    }
    guard bytes.count - start == count * size else {
      throw fail(
        "holds \(bytes.count - start) data bytes, but shape \(shape) of \(descr) needs \(count * size)"
      )
    }
    func le(_ at: Int, _ width: Int) -> UInt64 {
      var v: UInt64 = 0
      for j in (0..<width).reversed() { v = v << 8 | UInt64(bytes[at + j]) }
      return v
    }
    var values = [Double](repeating: 0, count: count)
    for i in 0..<count {
      let at = start + i * size
      switch descr {
      case "<f4": values[i] = Double(Float(bitPattern: UInt32(le(at, 4))))
      case "<f8": values[i] = Double(bitPattern: le(at, 8))
      case "<i4": values[i] = Double(Int32(bitPattern: UInt32(le(at, 4))))
      case "<i8": values[i] = Double(Int64(bitPattern: le(at, 8)))
      default: values[i] = Double(bytes[at])
      }
    }
    return Array(shape: shape, values: values)
  }

  /// The text after `'key':` up to the next top-level comma (a tuple counts as one value).
  private static func value(of key: String, in header: String) -> String? {
    guard let range = header.range(of: "'\(key)':") else { return nil }
    var depth = 0
    var out = ""
    for ch in header[range.upperBound...] {
      if ch == "(" { depth += 1 }
      if ch == ")" { depth -= 1 }
      if (ch == "," && depth == 0) || ch == "}" { break }
      out.append(ch)
      if depth < 0 { break }
    }
    return out.trimmingCharacters(in: .whitespaces)
  }

  /// The bytes of a v1 `.npy` file holding `values` (`<f4`, C order) with `shape`.
  public static func encode(float32 values: [Float], shape: [Int]) -> Data {
    var data = header(descr: "<f4", shape: shape)
    for v in values {
      withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }
    return data
  }

  /// The bytes of a v1 `.npy` file holding `values` as `<i8`.
  public static func encode(int64 values: [Int64], shape: [Int]) -> Data {
    var data = header(descr: "<i8", shape: shape)
    for v in values { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    return data
  }

  private static func header(descr: String, shape: [Int]) -> Data {
    let shapeText =
      shape.count == 1
      ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
    dict += "\n"
    var data = Data([0x93] + Swift.Array("NUMPY".utf8) + [1, 0])
    data.append(UInt8(dict.utf8.count & 0xff))
    data.append(UInt8(dict.utf8.count >> 8))
    data.append(contentsOf: Swift.Array(dict.utf8))
    return data
  }
}

/// NPY features + labels (+ optional ids) as a dataset.
public enum NPYLoader {
  public static func dataset(features: String, labels: String, ids: String? = nil) throws -> Dataset
  {
    let x = try NPYFormat.read(features)
    guard x.shape.count == 2 || x.shape.count == 1 else {
      throw DataError.malformed(
        path: features, line: nil, column: nil,
        reason: "features must be 1-D or 2-D, shape is \(x.shape)")
    }
    let n = x.shape[0]
    let d = x.shape.count == 2 ? x.shape[1] : 1
    let y = try NPYFormat.read(labels)
    guard y.shape == [n] else {
      throw DataError.malformed(
        path: labels, line: nil, column: nil,
        reason: "labels have shape \(y.shape), expected [\(n)]")
    }
    for (i, v) in y.values.enumerated() where v < 0 || v != v.rounded() {
      throw DataError.malformed(
        path: labels, line: nil, column: "\(i)", reason: "label \(v) is not a non-negative integer")
    }
    var sampleIDs = (0..<n).map { SampleID(UInt64($0)) }
    if let ids {
      let a = try NPYFormat.read(ids)
      guard a.shape == [n], a.values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() }) else {
        throw DataError.malformed(
          path: ids, line: nil, column: nil, reason: "ids must be \(n) non-negative integers")
      }
      sampleIDs = a.values.map { SampleID(UInt64($0)) }
      var seen = [SampleID: Int]()
      for (i, id) in sampleIDs.enumerated() {
        if let first = seen[id] {
          throw DataError.duplicateID(path: ids, line: i + 1, id: id.rawValue, firstLine: first + 1)
        }
        seen[id] = i
      }
    }
    let labelsInt = y.values.map { Int32($0) }
    return Dataset(
      ids: sampleIDs, features: Matrix(rows: n, cols: d, storage: x.values.map { Float($0) }),
      labels: labelsInt,
      classCount: Int((labelsInt.max() ?? -1) + 1), source: features)
  }
}
