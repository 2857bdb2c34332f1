import ExpungeCore
import Foundation

/// Reads LIBSVM / SVMlight files: one row per line, `label index:value index:value …`, with
/// 1-based ascending indices, optional `qid:…` (ignored) and `#` comments. Rows become dense.
///
/// Labels are non-negative integers; a file whose labels are only −1 and +1 (the binary
/// convention) maps −1 → 0 and +1 → 1. The feature count is the largest index, or
/// `featureCount` when given (an index beyond it is an error).
public enum LIBSVMLoader {
  public static func load(_ path: String, featureCount: Int? = nil) throws -> Dataset {
    let text = String(decoding: try Gzip.readFile(path), as: UTF8.self)
    var rows: [(line: Int, label: Double, entries: [(Int, Float)])] = []
    var maxIndex = 0
    for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = k + 1
      let content =
        raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
      let tokens = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
      guard let first = tokens.first else { continue }
      guard let label = Double(first), label.isFinite, label == label.rounded() else {
        throw DataError.malformed(
          path: path, line: line, column: "label", reason: "'\(first)' is not an integer label")
      }
      var entries: [(Int, Float)] = []
      var previous = 0
      for token in tokens.dropFirst() {
        if token.hasPrefix("qid:") { continue }
        let parts = token.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let index = Int(parts[0]), index >= 1 else {
          throw DataError.malformed(
            path: path, line: line, column: String(token),
            reason: "expected index:value with a 1-based index")
        }
        guard index > previous else {
          throw DataError.malformed(
            path: path, line: line, column: String(index), reason: "indices must be ascending")
        }
        guard let value = Float(parts[1]) else {
          throw DataError.malformed(
            path: path, line: line, column: String(index), reason: "'\(parts[1])' is not a number")
        }
        guard value.isFinite else {
          throw DataError.malformed(
            path: path, line: line, column: String(index),
            reason: value.isNaN ? "NaN is not allowed" : "infinity is not allowed")
        }
        if let featureCount, index > featureCount {
          throw DataError.malformed(
            path: path, line: line, column: String(index),
            reason: "index exceeds the \(featureCount) features")
        }
        previous = index
        maxIndex = max(maxIndex, index)
        entries.append((index, value))
      }
      rows.append((line, label, entries))
    }
    guard !rows.isEmpty else {
      throw DataError.malformed(path: path, line: nil, column: nil, reason: "the file has no rows")
    }
    let plusMinus = Set(rows.map(\.label)).isSubset(of: [-1, 1])
    let d = featureCount ?? maxIndex
    var x = Matrix.zeros(rows.count, d)
    var labels = [Int32]()
    for (r, row) in rows.enumerated() {
      var y = row.label
      if plusMinus { y = y < 0 ? 0 : 1 }
      guard y >= 0 else {
        throw DataError.malformed(
          path: path, line: row.line, column: "label", reason: "label \(Int(row.label)) is negative"
        )
      }
      labels.append(Int32(y))
      for (index, value) in row.entries { x[r, index - 1] = value }
    }
    return Dataset(
      ids: (0..<rows.count).map { SampleID(UInt64($0)) }, features: x, labels: labels,
      classCount: Int(labels.max()! + 1), source: path)
  }
}
