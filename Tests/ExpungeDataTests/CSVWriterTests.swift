import ExpungeCore
import ExpungeData
import Foundation
import Testing

@Suite("CSV writer")
struct CSVWriterTests {
  /// Written and read back with the id column, a dataset is the same: ids, labels, names,
  /// and every feature to the bit — awkward values included (−0, subnormals, the extremes,
  /// values with no short decimal form).
  @Test func writtenRowsReadBackBitEqual() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    var rng = SeededGenerator(seed: 11)
    let special: [Float] = [
      -0.0, 0, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
      -.greatestFiniteMagnitude, 1 / 3, 0.1, 1 + .ulpOfOne, 16_777_215, 1e-7, -2.5e30,
    ]
    let n = 40
    let d = 3
    var values =
      special
      + (special.count..<(n * d)).map { _ in
        Float(rng.nextNormal()) * Float(pow(10, Double(rng.nextInt(below: 20) - 10)))
      }
    values = Array(values.prefix(n * d))
    let data = Dataset(
      ids: (0..<n).map { SampleID(UInt64($0 * 7 + 3)) },
      features: Matrix(rows: n, cols: d, storage: values),
      labels: (0..<n).map { Int32($0 % 4) }, classCount: 4,
      featureNames: ["mean radius", "a,b", "c"])
    let path = scratch.write("rows.csv", CSVWriter.csv(data))
    var options = LoadOptions()
    options.idColumn = .name(CSVWriter.idColumn)
    var back = try CSVLoader.load(path, options: options)
    #expect(back.ids == data.ids)
    #expect(back.labels == data.labels)
    #expect(back.featureNames == data.featureNames)
    #expect(back.features.storage.map(\.bitPattern) == values.map(\.bitPattern))
    back.source = data.source
    #expect(back == data)
  }

  @Test func featuresWithoutNamesAreNumbered() {
    let data = Dataset(
      ids: [SampleID(5)], features: Matrix([[1.5, 2]]), labels: [1], classCount: 2)
    #expect(String(decoding: CSVWriter.csv(data), as: UTF8.self) == "id,x1,x2,label\n5,1.5,2.0,1\n")
  }
}
