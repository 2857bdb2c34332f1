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
}
