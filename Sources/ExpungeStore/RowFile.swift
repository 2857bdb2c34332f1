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
    func fail(_ reason: String) -> StoreError { .corrupt(path: path, reason: reason) }
    return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Rows in
      guard raw.count >= 28, Array(raw[0..<8]) == magic else { throw fail("not a row file") }
      let body = raw.count - 4
      let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: body, as: UInt32.self))
      let crc = UInt32(
        crc32(0, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(body)))
      guard crc == stored else { throw fail("checksum mismatch") }
      let n = Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
      let width = Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
      guard 24 + 20 * n + 4 * n * width == body else { throw fail("truncated or padded") }
      var offset = 24
      // One copy per array, straight from the file's bytes (all little-endian, as written).
      func read<T>(_ count: Int, as: T.Type) -> [T] {
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
          UnsafeMutableRawBufferPointer(buffer).copyMemory(
            from: UnsafeRawBufferPointer(
              rebasing: raw[offset..<(offset + count * MemoryLayout<T>.size)]))
          initialized = count
        }
        offset += count * MemoryLayout<T>.size
        return values
      }
      let positions = read(n, as: UInt64.self).map { UInt64(littleEndian: $0) }
      let ids = read(n, as: UInt64.self).map { SampleID(rawValue: UInt64(littleEndian: $0)) }
      let labels = read(n, as: Int32.self).map { Int32(littleEndian: $0) }
      let features = read(n * width, as: Float.self)
      return Rows(positions: positions, ids: ids, labels: labels, features: features, width: width)
    }
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
