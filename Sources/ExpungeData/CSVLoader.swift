import ExpungeCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Reads numeric CSV files (comma-separated; `.tsv` tab-separated; `.gz` decompressed).
///
/// One label column (non-negative integers; none with `hasLabels: false`), an optional id
/// column (non-negative integers, unique), every other column a finite number. The header is
/// detected when not stated: the first row is a header if any of its fields is not a number.
/// Quoted fields ("…", with "" for a quote) are accepted; a UTF-8 byte order mark, CRLF line
/// ends and blank lines are ignored; `skipRows` leading lines are skipped. Every bad cell is
/// reported with its 1-based line in the file and its column (the header's name, or its
/// 1-based position).
public enum CSVLoader {
  public static func load(_ path: String, options: LoadOptions = .init()) throws -> Dataset {
    try withParser(path, options: options) { try $0.run() }
  }

  /// The number of fields in the first row read (the header, or the first data row), after
  /// the skipped lines: how `predict` tells a file with a label column from one without.
  public static func columnCount(_ path: String, options: LoadOptions = .init()) throws -> Int {
    try withParser(path, options: options) { parser in
      let first = try parser.firstLine(of: parser.lines())
      var f: [Field] = []
      parser.fields(first.start, first.end, into: &f)
      return f.count
    }
  }

  private static func withParser<T>(
    _ path: String, options: LoadOptions, _ body: (Parser) throws -> T
  ) throws -> T {
    var bytes = try Gzip.readFile(path)
    bytes.append(0)  // strtod stops at the terminator at the very end
    let separator: UInt8 =
      path.lowercased().contains(".tsv") ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    return try bytes.withUnsafeBufferPointer { buffer in
      try body(Parser(path: path, bytes: buffer, separator: separator, options: options))
    }
  }

  /// One non-blank line: its 1-based number in the file and its bytes `[start, end)`
  /// without the line end.
  private struct Line {
    var number: Int
    var start: Int
    var end: Int
  }

  private struct Field {
    var start: Int
    var end: Int
    var quoted: Bool
  }

  private struct Parser {
    let path: String
    let bytes: UnsafeBufferPointer<UInt8>
    let separator: UInt8
    let options: LoadOptions

    func fail(_ line: Int, _ column: String?, _ reason: String) -> DataError {
      .malformed(path: path, line: line, column: column, reason: reason)
    }

    func text(_ f: Field) -> String {
      String(decoding: UnsafeBufferPointer(rebasing: bytes[f.start..<f.end]), as: UTF8.self)
    }

    /// Splits the line `[start, end)` into fields.
    func fields(_ start: Int, _ end: Int, into out: inout [Field]) {
      out.removeAll(keepingCapacity: true)
      var i = start
      while true {
        if i < end && bytes[i] == UInt8(ascii: "\"") {
          let s = i + 1
          var j = s
          while j < end
            && !(bytes[j] == UInt8(ascii: "\"")
              && (j + 1 >= end || bytes[j + 1] != UInt8(ascii: "\"")))
          {
            j += bytes[j] == UInt8(ascii: "\"") ? 2 : 1
          }
          out.append(Field(start: s, end: min(j, end), quoted: true))
          i = j + 1
          while i < end && bytes[i] != separator { i += 1 }
        } else {
          var j = i
          while j < end && bytes[j] != separator { j += 1 }
          out.append(Field(start: i, end: j, quoted: false))
          i = j
        }
        if i >= end { break }
        i += 1  // the separator
        if i == end {  // a trailing separator ends with an empty field
          out.append(Field(start: end, end: end, quoted: false))
          break
        }
      }
    }

    /// Parses a finite number filling the whole field, or nil.
    func number(_ f: Field) -> Double? {
      var s = f.start
      var e = f.end
      while s < e && (bytes[s] == 32 || bytes[s] == 9) { s += 1 }
      while e > s && (bytes[e - 1] == 32 || bytes[e - 1] == 9) { e -= 1 }
      guard s < e else { return nil }
      // strtod reads past the field only into the separator or newline, where it stops.
      var endPointer: UnsafeMutablePointer<CChar>?
      let base = UnsafeMutableRawPointer(mutating: bytes.baseAddress! + s).assumingMemoryBound(
        to: CChar.self)
      let value = strtod(base, &endPointer)
      let fieldEnd = UnsafeMutableRawPointer(mutating: bytes.baseAddress! + e)
      guard let endPointer, UnsafeMutableRawPointer(endPointer) == fieldEnd else {
        return nil
      }
      return value
    }

    func describeBad(_ f: Field) -> String {
      let t = text(f).trimmingCharacters(in: .whitespaces)
      if t.isEmpty { return "empty field is not a number" }
      if let v = Double(String(t)), !v.isFinite {
        return v.isNaN ? "NaN is not allowed" : "infinity is not allowed"
      }
      return "'\(t)' is not a number"
    }

    /// The non-blank lines after the first `options.skipRows` (without the terminating 0),
    /// numbered as in the file.
    func lines() -> [Line] {
      let total = bytes.count - 1
      // A UTF-8 byte order mark (Excel writes one) is not part of the first field.
      let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
      var s = total >= 3 && Array(bytes[0..<3]) == bom ? 3 : 0
      var lines: [Line] = []
      var lineNumber = 0
      while s < total {
        var e = s
        while e < total && bytes[e] != 10 { e += 1 }
        lineNumber += 1
        let stop = e > s && bytes[e - 1] == 13 ? e - 1 : e
        if stop > s && lineNumber > options.skipRows {
          lines.append(Line(number: lineNumber, start: s, end: stop))
        }
        s = e + 1
      }
      return lines
    }

    /// The first line to read, or why there is none.
    func firstLine(of lines: [Line]) throws -> Line {
      guard let first = lines.first else {
        let reason =
          options.skipRows > 0
          ? "no rows after the \(options.skipRows) skipped line(s)" : "the file is empty"
        throw DataError.malformed(path: path, line: nil, column: nil, reason: reason)
      }
      return first
    }

    func run() throws -> Dataset {
      let lines = self.lines()
      let first = try firstLine(of: lines)
      var f: [Field] = []
      fields(first.start, first.end, into: &f)
      let columns = f.count
      let hasHeader = options.hasHeader ?? f.contains { number($0) == nil }
      let header: [String]? =
        hasHeader ? f.map { text($0).trimmingCharacters(in: .whitespaces) } : nil
      func columnName(_ c: Int) -> String { header?[c] ?? String(c + 1) }
      func resolve(_ selector: ColumnSelector, what: String) throws -> Int {
        if let c = selector.resolve(count: columns, header: header) { return c }
        switch selector {
        case .name(let name):
          if header == nil {
            throw fail(
              first.number, name,
              "no such column: the file has no header (name the \(what) column by 0-based index)")
          }
          throw fail(
            first.number, name, "no such column; the header has \(header!.joined(separator: ", "))")
        case .index(let i):
          throw fail(
            first.number, nil, "\(what) column index \(i) is out of range (\(columns) columns)")
        default:
          throw fail(first.number, nil, "no \(what) column")
        }
      }
      let labelColumn = options.hasLabels ? try resolve(options.labelColumn, what: "label") : nil
      let idColumn = try options.idColumn.map { try resolve($0, what: "id") }
      if let labelColumn, idColumn == labelColumn {
        throw fail(
          first.number, columnName(labelColumn), "the id column cannot also be the label column")
      }
      let featureColumns = (0..<columns).filter { $0 != labelColumn && $0 != idColumn }
      let dataLines = hasHeader ? lines.dropFirst() : lines[...]
      let n = dataLines.count
      let d = featureColumns.count
      var storage = [Float](repeating: 0, count: n * d)
      var labels = [Int32](repeating: 0, count: n)
      var ids = [SampleID]()
      ids.reserveCapacity(n)
      var seen: [UInt64: Int] = [:]
      for (row, line) in dataLines.enumerated() {
        fields(line.start, line.end, into: &f)
        guard f.count == columns else {
          throw fail(line.number, nil, "has \(f.count) fields, expected \(columns)")
        }
        for (j, c) in featureColumns.enumerated() {
          guard let v = number(f[c]), v.isFinite else {
            throw fail(line.number, columnName(c), describeBad(f[c]))
          }
          storage[row * d + j] = Float(v)
        }
        if let labelColumn {
          guard let y = number(f[labelColumn]), y >= 0, y == y.rounded(), y < Double(Int32.max)
          else {
            throw fail(
              line.number, columnName(labelColumn),
              "label '\(text(f[labelColumn]))' is not a non-negative integer")
          }
          labels[row] = Int32(y)
        }
        if let idColumn {
          guard let v = number(f[idColumn]), v >= 0, v == v.rounded(), v < 0x1p63 else {
            throw fail(
              line.number, columnName(idColumn),
              "id '\(text(f[idColumn]))' is not a non-negative integer")
          }
          let id = UInt64(v)
          if let firstLine = seen[id] {
            throw DataError.duplicateID(path: path, line: line.number, id: id, firstLine: firstLine)
          }
          seen[id] = line.number
          ids.append(SampleID(id))
        } else {
          ids.append(SampleID(UInt64(row)))
        }
      }
      guard n > 0 else {
        throw DataError.malformed(
          path: path, line: nil, column: nil, reason: "has a header but no data rows")
      }
      return Dataset(
        ids: ids, features: Matrix(rows: n, cols: d, storage: storage), labels: labels,
        classCount: Int(labels.max()! + 1),
        featureNames: header.map { h in featureColumns.map { h[$0] } },
        source: path)
    }
  }
}
