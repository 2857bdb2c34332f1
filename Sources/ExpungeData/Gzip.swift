import CZlib
import Foundation

/// gzip decompression through zlib, for `.gz` data files.
enum Gzip {
  /// Whether `bytes` start with the gzip magic number 1f 8b.
  static func isCompressed(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
  }

  /// The decompressed contents of a gzip stream (concatenated members allowed).
  static func decompress(_ input: [UInt8], source: String) throws -> [UInt8] {
    var stream = z_stream()
    // 16 + MAX_WBITS: expect a gzip header and trailer.
    guard
      inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        == Z_OK
    else { throw DataError.unreadable(path: source, reason: "zlib could not start") }
    defer { inflateEnd(&stream) }
    // The gzip trailer's last 4 bytes hold the size mod 2³²: a good first guess for the buffer.
    // Deflate expands at most ~1032:1, so a larger claim is a corrupt trailer, not a size to
    // allocate.
    let largestPossible = max(input.count * 1032, 1 << 16)
    var capacity = max(input.count * 4, 1 << 16)
    if input.count >= 4 {
      let n = input.count
      let isize =
        Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1])
        << 24
      if isize > 0 { capacity = min(isize + 1, largestPossible) }
    }
    var output = [UInt8](repeating: 0, count: capacity)
    var produced = 0
    var status: Int32 = Z_OK
    try input.withUnsafeBufferPointer { inBuffer in
      stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress!)
      stream.avail_in = UInt32(inBuffer.count)
      while true {
        if produced == output.count {
          output.append(contentsOf: [UInt8](repeating: 0, count: output.count))
        }
        status = output.withUnsafeMutableBufferPointer { out in
          stream.next_out = out.baseAddress! + produced
          stream.avail_out = UInt32(out.count - produced)
          let s = inflate(&stream, Z_NO_FLUSH)
          produced = out.count - Int(stream.avail_out)
          return s
        }
        if status == Z_STREAM_END {
          // Another gzip member may follow.
          if stream.avail_in == 0 { break }
          guard inflateReset(&stream) == Z_OK else { break }
          continue
        }
        guard status == Z_OK || status == Z_BUF_ERROR else {
          throw DataError.malformed(
            path: source, line: nil, column: nil, reason: "corrupt gzip data")
        }
        if status == Z_BUF_ERROR && stream.avail_in == 0 {
          throw DataError.malformed(
            path: source, line: nil, column: nil, reason: "the gzip data is truncated")
        }
      }
    }
    output.removeSubrange(produced...)
    return output
  }

  /// The bytes of the file at `path`, decompressed if gzipped.
  static func readFile(_ path: String) throws -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else {
      throw DataError.unreadable(path: path, reason: "no such file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DataError.unreadable(path: path, reason: "cannot read the file")
    }
    let bytes = [UInt8](data)
    return isCompressed(bytes) ? try decompress(bytes, source: path) : bytes
  }
}
