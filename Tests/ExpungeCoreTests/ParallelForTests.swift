import ExpungeCore
import Foundation
import Testing

@Suite("Parallel for and atomic files")
struct ParallelForTests {
  @Test(arguments: [0, 1, 5, 4095, 4097, 100_003])
  func visitsEveryIndexExactlyOnce(count: Int) {
    var hits = [Int32](repeating: 0, count: max(count, 1))
    hits.withUnsafeMutableBufferPointer { buffer in
      let p = SendablePointer(buffer.baseAddress!)
      parallelFor(count, minimumChunk: 1000) { range in
        for i in range { p[i] += 1 }
      }
    }
    #expect(hits.prefix(count).allSatisfy { $0 == 1 })
  }

  @Test func chunksPartitionTheRangeDeterministically() {
    for (count, chunks) in [(10, 3), (3, 3), (100, 7), (5, 8)] {
      let ranges = (0..<chunks).map { chunkRange(count: count, chunks: chunks, index: $0) }
      #expect(ranges.first?.lowerBound == 0)
      #expect(ranges.last?.upperBound == count)
      for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
      #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
    }
  }

  @Test func atomicWriteReplacesTheFileAndLeavesNoTemporary() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-atomic-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("weights.bin")
    try AtomicFile.write(Data("old".utf8), to: file)
    try AtomicFile.write(Data("new contents".utf8), to: file)
    #expect(try Data(contentsOf: file) == Data("new contents".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["weights.bin"])
  }

  @Test func atomicWriteNamesThePathOnFailure() {
    let target = URL(fileURLWithPath: "/nonexistent-dir-for-expunge/model.json")
    #expect {
      try AtomicFile.write(Data("x".utf8), to: target)
    } throws: { error in
      "\(error)".hasPrefix("/nonexistent-dir-for-expunge/model.json: cannot write: ")
    }
  }
}
