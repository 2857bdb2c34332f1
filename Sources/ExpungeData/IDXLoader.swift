import ExpungeCore

/// Reads the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/),
/// gzipped or not.
///
/// A file is: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions,
/// each dimension as a big-endian UInt32, then the values row-major.
public enum IDXLoader {
  /// Images as an `n × (rows·cols)` matrix; values divided by `scale` (255 gives [0, 1]).
  public static func images(_ path: String, scale: Float = 255) throws -> Matrix {
    let (dims, body) = try parse(path, expectedRank: 3)
    let d = dims[1] * dims[2]
    let inverse = 1 / scale
    return body.withUnsafeBufferPointer { src in
      Matrix(rows: dims[0], cols: d) { dst in
        for i in 0..<(dims[0] * d) { dst[i] = Float(src[i]) * inverse }
      }
    }
  }

  /// Labels as integers.
  public static func labels(_ path: String) throws -> [Int32] {
    let (_, body) = try parse(path, expectedRank: 1)
    return body.map { Int32($0) }
  }

  /// Loads an image file with its label file as a dataset with ids 0…n−1.
  public static func dataset(images: String, labels: String, classCount: Int? = nil, source: String)
    throws -> Dataset
  {
    let x = try Self.images(images)
    let y = try Self.labels(labels)
    guard x.rows == y.count else {
      throw DataError.malformed(
        path: labels, line: nil, column: nil,
        reason: "has \(y.count) labels but \(images) has \(x.rows) images")
    }
    return Dataset(
      ids: (0..<x.rows).map { SampleID(UInt64($0)) }, features: x, labels: y,
      classCount: classCount ?? Int((y.max() ?? -1) + 1), source: source)
  }

  private static func parse(_ path: String, expectedRank: Int) throws -> ([Int], ArraySlice<UInt8>)
  {
    let bytes = try Gzip.readFile(path)
    func fail(_ reason: String) -> DataError {
      .malformed(path: path, line: nil, column: nil, reason: reason)
    }
    guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
      throw fail("not an IDX file (bad magic number)")
    }
    guard bytes[2] == 0x08 else {
      throw fail(
        "IDX type 0x\(String(bytes[2], radix: 16)) is not supported (only unsigned bytes, 0x08)")
    }
    let rank = Int(bytes[3])
    guard rank == expectedRank else {
      throw fail("has \(rank) dimensions, expected \(expectedRank)")
    }
    guard bytes.count >= 4 + 4 * rank else { throw fail("truncated header") }
    let dims = (0..<rank).map { k in
      (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * k + $1]) }
    }
    let expected = dims.reduce(1, *)
    let body = bytes[(4 + 4 * rank)...]
    guard body.count == expected else {
      throw fail("holds \(body.count) data bytes, but its dimensions \(dims) need \(expected)")
    }
    return (dims, body)
  }
}
