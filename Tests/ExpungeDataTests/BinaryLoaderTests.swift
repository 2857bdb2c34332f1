import ExpungeCore
import ExpungeData
import Foundation
import Testing

/// IDX, NPY and LIBSVM files written byte by byte from their specifications.
@Suite("IDX, NPY and LIBSVM loaders")
struct BinaryLoaderTests {
  /// An IDX file of unsigned bytes (type 0x08) with big-endian dimensions.
  static func idx(_ dims: [Int], _ body: [UInt8]) -> Data {
    var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
    for d in dims { out += [24, 16, 8, 0].map { UInt8((d >> $0) & 0xff) } }
    return Data(out + body)
  }

  @Test func idxImagesAndLabelsPlainAndGzipped() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let images = scratch.write(
      "tiny-images-idx3-ubyte", Self.idx([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0]))
    let labels = scratch.write("tiny-labels-idx1-ubyte", Self.idx([3], [9, 0, 4]))
    let data = try IDXLoader.dataset(images: images, labels: labels, classCount: 10, source: "t")
    #expect(data.count == 3 && data.featureCount == 4 && data.classCount == 10)
    #expect(data.labels == [9, 0, 4])
    #expect(data.features[0, 1] == 1 && data.features[2, 0] == 1 && data.features[0, 0] == 0)
    #expect(abs(data.features[0, 2] - 0.2) < 1e-7)
    let gz = try IDXLoader.dataset(
      images: try scratch.gzip(images), labels: try scratch.gzip(labels), classCount: 10,
      source: "t")
    #expect(gz == data)
    // The catalog finds the labels next to the images.
    var viaCatalog = try DatasetCatalog.load(images)
    viaCatalog.source = "t"
    viaCatalog.classCount = 10
    #expect(viaCatalog == data)
  }

  @Test func idxErrors() {
    let scratch = Scratch()
    defer { scratch.remove() }
    let truncated = scratch.write("a-images-idx3-ubyte", Self.idx([2, 2, 2], [1, 2, 3]))
    #expect(
      failure { try IDXLoader.images(truncated) }
        == "\(truncated): holds 3 data bytes, but its dimensions [2, 2, 2] need 8")
    let notIDX = scratch.write("b-images-idx3-ubyte", Data([7, 7, 7, 7]))
    #expect(
      failure { try IDXLoader.images(notIDX) } == "\(notIDX): not an IDX file (bad magic number)")
    let corrupt = scratch.write("c.gz", Data([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff]))
    #expect(failure { try IDXLoader.images(corrupt) }?.hasPrefix("\(corrupt): ") == true)
  }

  /// An NPY file: magic, version, little-endian header length (2 bytes in v1, 4 in v2), a
  /// Python-dict header padded with spaces to a multiple of 64 bytes, then the raw data.
  static func npy(descr: String, shape: [Int], version: UInt8 = 1, data: Data) -> Data {
    let shapeText =
      shape.count == 1 ? "(\(shape[0]),)" : "(\(shape.map(String.init).joined(separator: ", ")))"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    let prefix = version == 1 ? 10 : 12
    while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var out = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
    let length = header.utf8.count
    out +=
      version == 1
      ? Data([UInt8(length & 0xff), UInt8(length >> 8)])
      : Data([UInt8(length & 0xff), UInt8((length >> 8) & 0xff), 0, 0])
    return out + Data(header.utf8) + data
  }

  static func bytes<T>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }

  @Test(arguments: [
    ("<f4", UInt8(1)), ("<f8", 1), ("|u1", 2), ("<i4", 2), ("<i8", 1),
  ])
  func npyDtypesAndVersions(descr: String, version: UInt8) throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let values: [Double] = [0, 1, 2, 3, 4, 250]
    let payload: Data
    switch descr {
    case "<f4": payload = Self.bytes(values.map(Float.init))
    case "<f8": payload = Self.bytes(values)
    case "|u1": payload = Data(values.map { UInt8($0) })
    case "<i4": payload = Self.bytes(values.map { Int32($0) })
    default: payload = Self.bytes(values.map { Int64($0) })
    }
    let x = scratch.write(
      "x.npy", Self.npy(descr: descr, shape: [3, 2], version: version, data: payload))
    let y = scratch.write("y.npy", NPYFormat.encode(int64: [1, 0, 1], shape: [3]))
    let data = try NPYLoader.dataset(features: x, labels: y)
    #expect(data.features == Matrix([[0, 1], [2, 3], [4, 250]]))
    #expect(data.labels == [1, 0, 1])
  }

  @Test func npyErrors() {
    let scratch = Scratch()
    defer { scratch.remove() }
    let fortran = scratch.write(
      "f.npy",
      Self.npy(descr: "<f4", shape: [1, 1], data: Self.bytes([Float(1)])).replacing(
        Data("'fortran_order': False".utf8), with: Data("'fortran_order': True ".utf8)))
    #expect(
      failure { try NPYFormat.read(fortran) }
        == "\(fortran): Fortran-order arrays are not supported; save with numpy.ascontiguousarray")
    let short = scratch.write(
      "s.npy", Self.npy(descr: "<f8", shape: [2, 2], data: Self.bytes([1.0])))
    #expect(
      failure { try NPYFormat.read(short) }
        == "\(short): holds 8 data bytes, but shape [2, 2] of <f8 needs 32")
    let complex = scratch.write("c.npy", Self.npy(descr: "<c8", shape: [1], data: Data(count: 8)))
    #expect(
      failure { try NPYFormat.read(complex) }?.contains("dtype '<c8' is not supported") == true)
    let x = scratch.write("x.npy", NPYFormat.encode(float32: [1, 2], shape: [2, 1]))
    let y = scratch.write("y.npy", NPYFormat.encode(int64: [1, 0, 1], shape: [3]))
    #expect(
      failure { try NPYLoader.dataset(features: x, labels: y) }
        == "\(y): labels have shape [3], expected [2]")
  }

  @Test func libsvmSparseRowsBecomeDense() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let path = scratch.write(
      "rows.svm", "+1 1:0.5 3:2 # comment\n-1 qid:3 2:1\n\n+1 4:-1\n")
    let data = try LIBSVMLoader.load(path)
    #expect(data.labels == [1, 0, 1], "−1/+1 labels map to 0/1")
    #expect(data.features == Matrix([[0.5, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, -1]]))
    let wide = try LIBSVMLoader.load(path, featureCount: 6)
    #expect(wide.featureCount == 6)
  }

  @Test func libsvmErrors() {
    let scratch = Scratch()
    defer { scratch.remove() }
    func message(_ text: String, featureCount: Int? = nil) -> String? {
      let path = scratch.write("bad.svm", text)
      return failure { try LIBSVMLoader.load(path, featureCount: featureCount) }.map {
        $0.replacingOccurrences(of: path, with: "F")
      }
    }
    #expect(message("0 1:1\n1 3:1 2:1\n") == "F:2: column 2: indices must be ascending")
    #expect(message("0 1:x\n") == "F:1: column 1: 'x' is not a number")
    #expect(message("0 1:nan\n") == "F:1: column 1: NaN is not allowed")
    #expect(message("a 1:1\n") == "F:1: column label: 'a' is not an integer label")
    #expect(message("0 0:1\n") == "F:1: column 0:1: expected index:value with a 1-based index")
    #expect(message("0 5:1\n", featureCount: 3) == "F:1: column 5: index exceeds the 3 features")
  }
}
