import Foundation

/// Writes a dataset as CSV that `CSVLoader` reads back to the same rows: a header, then one
/// line per row with its id first, its features, and its label last.
///
/// Loaded with `idColumn: .name(CSVWriter.idColumn)`, the file gives every row the id it has
/// here — the id column of the file it came from, or its row number there — so ids keep
/// naming the same rows across a split. Features are written in the shortest decimal form
/// that reads back to the same `Float`, so they come back bit-equal.
public enum CSVWriter {
  /// The header name of the id column.
  public static let idColumn = "id"
  /// The header name of the label column.
  public static let labelColumn = "label"

  /// The CSV bytes of `data`: the header `id,<feature names>,label` (features without names
  /// are called x1, x2, …), then the rows in order.
  /// - Complexity: O(n·d).
  public static func csv(_ data: Dataset) -> Data {
    let d = data.featureCount
    let names = data.featureNames ?? (0..<d).map { "x\($0 + 1)" }
    var text = ([idColumn] + names + [labelColumn]).map(quoted).joined(separator: ",") + "\n"
    data.features.storage.withUnsafeBufferPointer { x in
      for i in 0..<data.count {
        text += data.ids[i].description
        for j in 0..<d { text += "," + x[i * d + j].description }
        text += ",\(data.labels[i])\n"
      }
    }
    return Data(text.utf8)
  }

  /// `name`, in quotes (with `""` for a quote) when a comma or a quote would otherwise
  /// split it.
  static func quoted(_ name: String) -> String {
    guard name.contains(where: { $0 == "," || $0 == "\"" }) else { return name }
    return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
