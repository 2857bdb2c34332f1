import CZlib
import ExpungeCore
import ExpungeData
import Foundation

/// One shard's training rows on disk: the only copy of the data a store may still learn
/// from. Binary, little-endian, with a CRC-32 of everything before it:
///
///     "EXPROWS1" | rows u64 | width u64 | positions u64×rows | ids u64×rows
///     | labels i32×rows | features f32×(rows·width) | crc32 u32
///
/// `positions` are the rows' places in the original training file, so the store can
/// rebuild the file's row order (training depends on it) after rows are removed.
enum RowFile {
  static let magic = Array("EXPROWS1".utf8)

  struct Rows {
    var positions: [UInt64]
    var ids: [SampleID]
    var labels: [Int32]
    var features: [Float]
    var width: Int
    var count: Int { ids.count }
  }

  static func encode(_ rows: Rows) -> Data {
    // One allocation of the final size: a shard of Fashion-MNIST is tens of megabytes, and
    // growing an array to that size costs more than the copy itself.
    let n = rows.count
    let size = 8 + 16 + 8 * n + 8 * n + 4 * n + 4 * rows.features.count + 4
    var data = Data(count: size)
    data.withUnsafeMutableBytes { out in
      var offset = 0
      func put<T>(_ values: [T]) {
        values.withUnsafeBytes { source in
          out.baseAddress!.advanced(by: offset).copyMemory(
            from: source.baseAddress!, byteCount: source.count)
          offset += source.count
        }
      }
      put(magic)
      put([UInt64(n).littleEndian, UInt64(rows.width).littleEndian])
      put(rows.positions.map { $0.littleEndian })
      put(rows.ids.map { $0.rawValue.littleEndian })
      put(rows.labels.map { $0.littleEndian })
      put(rows.features)  // little-endian IEEE 754 on every platform Swift targets here
      let crc = UInt32(
        crc32(0, out.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(offset)))
      put([crc.littleEndian])
    }
    return data
  }

  static func decode(_ data: Data, path: String) throws -> Rows {
    let bytes = [UInt8](data)
    func fail(_ reason: String) -> StoreError { .corrupt(path: path, reason: reason) }
    guard bytes.count >= 28, Array(bytes[0..<8]) == magic else { throw fail("not a row file") }
    let body = bytes.count - 4
    let stored = bytes[body..<bytes.count].enumerated().reduce(UInt32(0)) {
      $0 | UInt32($1.element) << (8 * UInt32($1.offset))
    }
    let crc = UInt32(bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32(body)) })
    guard crc == stored else { throw fail("checksum mismatch") }
    var offset = 8
    func read<T: FixedWidthInteger>(_ count: Int, as: T.Type) throws -> [T] {
      let size = MemoryLayout<T>.size * count
      guard offset + size <= body else { throw fail("truncated") }
      let values = bytes[offset..<(offset + size)].withUnsafeBytes {
        Array($0.bindMemory(to: T.self)).map { T(littleEndian: $0) }
      }
      offset += size
      return values
    }
    let header = try read(2, as: UInt64.self)
    let (n, width) = (Int(header[0]), Int(header[1]))
    let positions = try read(n, as: UInt64.self)
    let ids = try read(n, as: UInt64.self).map { SampleID(rawValue: $0) }
    let labels = try read(n, as: Int32.self)
    let features = try read(n * width, as: UInt32.self).map { Float(bitPattern: $0) }
    guard offset == body else { throw fail("\(body - offset) unexpected bytes") }
    return Rows(positions: positions, ids: ids, labels: labels, features: features, width: width)
  }

  static func write(_ rows: Rows, to url: URL) throws {
    try AtomicFile.write(encode(rows), to: url)
  }

  static func read(_ url: URL) throws -> Rows {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw StoreError.corrupt(path: url.path, reason: "missing")
    }
    return try decode(data, path: url.path)
  }

  /// SHA-256 of one row's label and feature bytes (little-endian), as hex: the ledger's row
  /// hash, which identifies a row's content without holding it.
  static func rowHash(label: Int32, features: ArraySlice<Float>) -> String {
    var hasher = SHA256()
    withUnsafeBytes(of: label.littleEndian) { hasher.update($0) }
    features.withUnsafeBytes { hasher.update($0) }
    return SHA256.hexString(hasher.finalize())
  }
}
