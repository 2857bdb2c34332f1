import ExpungeCore
import ExpungeData
import Foundation
import Testing

@Suite("CSV loader")
struct CSVLoaderTests {
  @Test func headerLabelAndIDColumns() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let path = scratch.write("rows.csv", "id,x1,label,x2\n10,1.5,2,-3\n4,\"2e1\",0,4\n7,0,1,0.25\n")
    var options = LoadOptions()
    options.labelColumn = .name("label")
    options.idColumn = .name("id")
    let data = try CSVLoader.load(path, options: options)
    #expect(data.ids == [10, 4, 7].map { SampleID(UInt64($0)) })
    #expect(data.labels == [2, 0, 1])
    #expect(data.classCount == 3)
    #expect(data.features == Matrix([[1.5, -3], [20, 4], [0, 0.25]]))
    #expect(data.featureNames == ["x1", "x2"])
  }

  @Test func noHeaderIsDetectedAndColumnsChosenByPosition() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let path = scratch.write("rows.csv", "1,0.5,0.25\r\n0,1,2\r\n\n")
    var first = LoadOptions()
    first.labelColumn = .first
    let a = try CSVLoader.load(path, options: first)
    #expect(a.labels == [1, 0])
    #expect(a.features == Matrix([[0.5, 0.25], [1, 2]]))
    #expect(a.ids == [0, 1].map { SampleID(UInt64($0)) }, "ids default to data-row numbers")
    var byIndex = LoadOptions()
    byIndex.labelColumn = .index(0)
    #expect(try CSVLoader.load(path, options: byIndex) == a)
  }

  @Test func gzippedAndTabSeparatedFiles() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let csv = scratch.write("rows.csv", "a,b,y\n1,2,0\n3,4,1\n")
    let plain = try CSVLoader.load(csv)
    var gz = try CSVLoader.load(try scratch.gzip(csv))
    gz.source = plain.source
    #expect(gz == plain)
    let tsv = scratch.write("rows.tsv", "a\tb\ty\n1\t2\t0\n3\t4\t1\n")
    var tabbed = try CSVLoader.load(tsv)
    tabbed.source = plain.source
    #expect(tabbed == plain)
  }

  /// The ids come from the file, so deleting a row keeps every other row's id — the
  /// property exact unlearning's "retrain on the file without the rows" check relies on.
  @Test func idsSurviveRemovingARowFromTheFile() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    var options = LoadOptions()
    options.idColumn = .first
    let full = try CSVLoader.load(
      scratch.write("full.csv", "id,x,y\n5,1,0\n6,2,1\n9,3,0\n"), options: options)
    let edited = try CSVLoader.load(
      scratch.write("edited.csv", "id,x,y\n6,2,1\n9,3,0\n"), options: options)
    var removed = full.removing(ids: [SampleID(5)])
    removed.source = edited.source
    removed.featureNames = edited.featureNames
    #expect(removed == edited)
  }

  @Test func badCellsAreNamedByLineAndColumn() {
    let scratch = Scratch()
    defer { scratch.remove() }
    func message(_ text: String, _ configure: (inout LoadOptions) -> Void = { _ in }) -> String? {
      let path = scratch.write("bad.csv", text)
      var options = LoadOptions()
      configure(&options)
      return failure { try CSVLoader.load(path, options: options) }.map {
        $0.replacingOccurrences(of: path, with: "F")
      }
    }
    #expect(message("a,b,y\n1,2,0\n3,4\n") == "F:3: has 2 fields, expected 3")
    #expect(message("a,b,y\n1,x,0\n") == "F:2: column b: 'x' is not a number")
    #expect(message("a,b,y\n1,nan,0\n") == "F:2: column b: NaN is not allowed")
    #expect(message("a,b,y\n1,-inf,0\n") == "F:2: column b: infinity is not allowed")
    #expect(message("a,b,y\n1,,0\n") == "F:2: column b: empty field is not a number")
    #expect(message("a,b,y\n1,2,-1\n") == "F:2: column y: label '-1' is not a non-negative integer")
    #expect(
      message("a,b,y\n1,2,0.5\n") == "F:2: column y: label '0.5' is not a non-negative integer")
    #expect(message("a,b,y\n") == "F: has a header but no data rows")
    #expect(message("") == "F: the file is empty")
    #expect(
      message("a,b,y\n1,2,0\n") { $0.labelColumn = .name("class") }
        == "F:1: column class: no such column; the header has a, b, y")
    #expect(
      message("1,2,0\n") { $0.labelColumn = .index(5) }
        == "F:1: label column index 5 is out of range (3 columns)")
    #expect(
      message("id,x,y\n1,2,0\n3,4,1\n1,5,0\n") { $0.idColumn = .name("id") }
        == "F:4: duplicate id 1 (first seen on line 2)")
    #expect(
      message("id,x,y\n1.5,2,0\n") { $0.idColumn = .name("id") }
        == "F:2: column id: id '1.5' is not a non-negative integer")
  }

  /// scikit-learn's bundled CSV files start with a line of counts and class names that is
  /// neither a header nor a row; skipping it leaves every message with the file's line number.
  @Test func skipRowsSkipsLeadingLinesAndKeepsLineNumbers() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let path = scratch.write("bc.csv", "3,2,malignant,benign\n1.5,2,0\n3,4,1\n\n5,6,1\n")
    var skip = LoadOptions()
    skip.skipRows = 1
    let data = try CSVLoader.load(path, options: skip)
    #expect(data.features == Matrix([[1.5, 2], [3, 4], [5, 6]]))
    #expect(data.labels == [0, 1, 1])
    #expect(data.ids == [0, 1, 2].map { SampleID(UInt64($0)) }, "ids count data rows only")
    #expect(data.featureNames == nil, "the first line read is data, not a header")
    #expect(try CSVLoader.columnCount(path, options: skip) == 3)
    // Read from the top, the line of counts passes for a header of 4 columns.
    #expect(
      failure { try CSVLoader.load(path) }?.replacingOccurrences(of: path, with: "F")
        == "F:2: has 3 fields, expected 4")

    let bad = scratch.write("bad.csv", "# exported\n\nid,a,y\n7,1,0\n8,x,1\n")
    var skipTwo = LoadOptions()
    skipTwo.skipRows = 2
    skipTwo.idColumn = .name("id")
    #expect(
      failure { try CSVLoader.load(bad, options: skipTwo) }?.replacingOccurrences(
        of: bad, with: "F") == "F:5: column a: 'x' is not a number")
    skipTwo.skipRows = 5
    #expect(
      failure { try CSVLoader.load(bad, options: skipTwo) }?.replacingOccurrences(
        of: bad, with: "F") == "F: no rows after the 5 skipped line(s)")
  }

  /// Excel's "CSV UTF-8" starts with a byte order mark and ends lines with CRLF: the same
  /// rows, header names and messages as the plain file.
  @Test func byteOrderMarkAndCRLFReadAsThePlainFile() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let bom = Data([0xEF, 0xBB, 0xBF])
    var options = LoadOptions()
    options.idColumn = .name("id")
    let plain = try CSVLoader.load(
      scratch.write("plain.csv", "id,a,y\n4,1.5,0\n9,-2,1\n"), options: options)
    var excel = try CSVLoader.load(
      scratch.write("excel.csv", bom + Data("id,a,y\r\n4,1.5,0\r\n9,-2,1\r\n".utf8)),
      options: options)
    excel.source = plain.source
    #expect(excel == plain)
    #expect(excel.featureNames == ["a"])

    // Without a header the mark must not make the first number look like a header name.
    let headerless = try CSVLoader.load(
      scratch.write("rows.csv", bom + Data("1,0\r\n2,1\r\n".utf8)))
    #expect(headerless.count == 2 && headerless.featureNames == nil)
    #expect(headerless.features == Matrix([[1], [2]]))
    let bad = scratch.write("bad.csv", bom + Data("a,y\r\n1,0\r\n2,z\r\n".utf8))
    #expect(
      failure { try CSVLoader.load(bad) }?.replacingOccurrences(of: bad, with: "F")
        == "F:3: column y: label 'z' is not a non-negative integer")
  }

  /// `.csv.gz` and `.tsv.gz` are read by their name through the catalog (as `--data` is),
  /// byte order mark, CRLF and skipped lines included.
  @Test func gzippedFilesLoadThroughTheCatalog() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    var options = LoadOptions()
    options.skipRows = 1
    let text = "2,2,no,yes\r\n0.25,8,1\r\n-1,3,0\r\n"
    let csv = scratch.write("rows.csv", Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8))
    let plain = try DatasetCatalog.load(csv, options: options)
    var gz = try DatasetCatalog.load(try scratch.gzip(csv), options: options)
    #expect(gz.source.hasSuffix(".csv.gz"))
    gz.source = plain.source
    #expect(gz == plain)
    #expect(plain.features == Matrix([[0.25, 8], [-1, 3]]) && plain.labels == [1, 0])
    let tsv = scratch.write("rows.tsv", text.replacingOccurrences(of: ",", with: "\t"))
    var tsvGz = try DatasetCatalog.load(try scratch.gzip(tsv), options: options)
    tsvGz.source = plain.source
    #expect(tsvGz == plain)
  }

  /// Rows to predict have no label column: every column but the id column is a feature.
  @Test func filesWithoutALabelColumn() throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let path = scratch.write("new.csv", "id,a,b\n7,1,2.5\n3,4,0.5\n")
    var options = LoadOptions()
    options.hasLabels = false
    options.idColumn = .name("id")
    let data = try CSVLoader.load(path, options: options)
    #expect(data.features == Matrix([[1, 2.5], [4, 0.5]]))
    #expect(data.ids == [7, 3].map { SampleID(UInt64($0)) })
    #expect(data.featureNames == ["a", "b"])
    #expect(data.labels == [0, 0] && data.classCount == 1)
    #expect(try CSVLoader.columnCount(path, options: options) == 3)
    // The same file read as labelled takes its last column (b) for the label.
    options.hasLabels = true
    #expect(
      failure { try CSVLoader.load(path, options: options) }?.replacingOccurrences(
        of: path, with: "F") == "F:2: column b: label '2.5' is not a non-negative integer")
  }
}
