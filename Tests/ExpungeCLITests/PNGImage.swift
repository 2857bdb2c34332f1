import CZlib
import Foundation

/// A decoded PNG: 8-bit RGB or RGBA, not interlaced — what headless Chromium writes for a
/// screenshot. Enough of the format to look at a rendered page's pixels without a package
/// dependency; anything else is refused rather than misread.
struct PNGImage {
  struct DecodingError: Error, CustomStringConvertible {
    var description: String
  }

  let width: Int
  let height: Int
  /// 3 (RGB) or 4 (RGBA).
  let channels: Int
  /// Row-major pixels, `channels` bytes each, filters already undone.
  let bytes: [UInt8]

  /// The pixel at (x, y) as 0xRRGGBB; alpha, if any, is ignored (screenshots are opaque).
  func rgb(_ x: Int, _ y: Int) -> UInt32 {
    let i = (y * width + x) * channels
    return UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
  }

  static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

  init(contentsOf url: URL) throws {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw DecodingError(description: "\(url.path): cannot read the file")
    }
    try self.init(bytes: [UInt8](data))
  }

  init(bytes file: [UInt8]) throws {
    func fail(_ reason: String) -> DecodingError { DecodingError(description: "PNG: \(reason)") }
    func uint32(_ at: Int) -> Int {
      Int(file[at]) << 24 | Int(file[at + 1]) << 16 | Int(file[at + 2]) << 8 | Int(file[at + 3])
    }
    guard file.count >= 8, Array(file[0..<8]) == Self.signature else {
      throw fail("not a PNG file")
    }
    var header: [UInt8]?
    var compressed: [UInt8] = []
    var position = 8
    var ended = false
    while !ended {
      guard position + 12 <= file.count else { throw fail("truncated chunk at byte \(position)") }
      let length = uint32(position)
      guard position + 12 + length <= file.count else {
        throw fail("truncated chunk at byte \(position)")
      }
      let type = String(decoding: file[(position + 4)..<(position + 8)], as: UTF8.self)
      let body = Array(file[(position + 8)..<(position + 8 + length)])
      // The CRC covers the type and the data: a corrupt file fails here, not as odd pixels.
      let crc = file[(position + 4)..<(position + 8 + length)].withContiguousStorageIfAvailable {
        crc32(0, $0.baseAddress, UInt32($0.count))
      }
      guard let crc, Int(crc) == uint32(position + 8 + length) else {
        throw fail("bad CRC in chunk \(type)")
      }
      switch type {
      case "IHDR": header = body
      case "IDAT": compressed += body
      case "IEND": ended = true
      default: break  // ancillary chunks (sRGB, pHYs, …) do not change the pixels we read
      }
      position += 12 + length
    }
    guard let header, header.count == 13 else { throw fail("no IHDR chunk") }
    let width = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
    let height =
      Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
    let (bitDepth, colourType, interlace) = (header[8], header[9], header[12])
    guard bitDepth == 8, colourType == 2 || colourType == 6, interlace == 0 else {
      throw fail(
        "only 8-bit RGB/RGBA without interlacing is supported (bit depth \(bitDepth), "
          + "colour type \(colourType), interlace \(interlace))")
    }
    guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else {
      throw fail("implausible size \(width)×\(height)")
    }
    let channels = colourType == 6 ? 4 : 3
    let stride = width * channels
    let raw = try Self.inflate(compressed, expected: height * (1 + stride))
    self.width = width
    self.height = height
    self.channels = channels
    self.bytes = try Self.unfilter(raw, height: height, stride: stride, bytesPerPixel: channels)
  }

  /// The zlib stream of the concatenated IDAT chunks, which must hold exactly `expected` bytes.
  static func inflate(_ compressed: [UInt8], expected: Int) throws -> [UInt8] {
    var output = [UInt8](repeating: 0, count: expected)
    var produced = uLongf(expected)
    let status = output.withUnsafeMutableBufferPointer { out in
      compressed.withUnsafeBufferPointer { input in
        uncompress(out.baseAddress, &produced, input.baseAddress, uLong(input.count))
      }
    }
    guard status == Z_OK, Int(produced) == expected else {
      throw DecodingError(
        description: "PNG: the image data does not inflate to \(expected) bytes (zlib \(status))")
    }
    return output
  }

  /// Undoes the per-scanline filters (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) of PNG §9.
  static func unfilter(_ raw: [UInt8], height: Int, stride: Int, bytesPerPixel bpp: Int) throws
    -> [UInt8]
  {
    var out = [UInt8](repeating: 0, count: height * stride)
    for y in 0..<height {
      let filter = raw[y * (stride + 1)]
      let source = y * (stride + 1) + 1
      let row = y * stride
      for i in 0..<stride {
        let a = i >= bpp ? Int(out[row + i - bpp]) : 0
        let b = y > 0 ? Int(out[row - stride + i]) : 0
        let c = i >= bpp && y > 0 ? Int(out[row - stride + i - bpp]) : 0
        let predictor: Int
        switch filter {
        case 0: predictor = 0
        case 1: predictor = a
        case 2: predictor = b
        case 3: predictor = (a + b) / 2
        case 4: predictor = paeth(a, b, c)
        default: throw DecodingError(description: "PNG: unknown filter \(filter) in row \(y)")
        }
        out[row + i] = UInt8(truncatingIfNeeded: Int(raw[source + i]) + predictor)
      }
    }
    return out
  }

  /// Whichever of left, up and up-left is closest to left + up − up-left, ties in that order.
  static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
    let p = a + b - c
    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
    if pa <= pb && pa <= pc { return a }
    return pb <= pc ? b : c
  }
}

extension PNGImage {
  /// An 8-bit RGB PNG of `rgb` (3 bytes a pixel, row-major), row y filtered with filter
  /// y mod 5: the decoder's self-check, so that every filter is undone on known pixels.
  static func encode(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
    precondition(rgb.count == width * height * 3)
    let stride = width * 3
    var raw: [UInt8] = []
    for y in 0..<height {
      let filter = y % 5
      raw.append(UInt8(filter))
      for i in 0..<stride {
        let a = i >= 3 ? Int(rgb[y * stride + i - 3]) : 0
        let b = y > 0 ? Int(rgb[(y - 1) * stride + i]) : 0
        let c = i >= 3 && y > 0 ? Int(rgb[(y - 1) * stride + i - 3]) : 0
        let predictor = [0, a, b, (a + b) / 2, paeth(a, b, c)][filter]
        raw.append(UInt8(truncatingIfNeeded: Int(rgb[y * stride + i]) - predictor))
      }
    }
    var compressedSize = compressBound(uLong(raw.count))
    var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
    let status = compressed.withUnsafeMutableBufferPointer { out in
      raw.withUnsafeBufferPointer {
        compress(out.baseAddress, &compressedSize, $0.baseAddress, uLong($0.count))
      }
    }
    precondition(status == Z_OK)
    compressed.removeSubrange(Int(compressedSize)...)

    func bigEndian(_ v: Int) -> [UInt8] {
      (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) }
    }
    func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
      let typed = Array(type.utf8) + body
      let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
      return bigEndian(body.count) + typed + bigEndian(Int(crc))
    }
    let header = bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]
    return signature + chunk("IHDR", header) + chunk("IDAT", compressed) + chunk("IEND", [])
  }
}
