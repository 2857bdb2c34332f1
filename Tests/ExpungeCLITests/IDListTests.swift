import Foundation
import Testing

/// Id lists take ranges everywhere ids are taken — `--ids 3,17,100-120`, `--ids-file` lines,
/// the ids of `--relabel` and `--zero-features` — through one parser, which also reads
/// `--zero-columns`. A bad item is a usage error naming the option and the item.
@Suite("Id lists and ranges")
struct IDListTests {
  static let data = "synthetic:n=600,d=4,classes=3,seed=3"

  static func store(in dir: URL) -> String {
    let store = dir.appendingPathComponent("s").path
    let r = expunge(
      "train", "--data", data, "--model", "mlp", "--hidden", "4", "--epochs", "2", "--store",
      store, "--sisa-shards", "3", "--sisa-slices", "2", "--quiet")
    #expect(r.status == 0, "\(r.err)")
    return store
  }

  @Test(
    arguments: [
      ("120-100", "'120-100' is a reversed range; write 100-120"),
      (
        "1,99999999999999999999",
        "'99999999999999999999' is larger than the largest id, 18446744073709551615"
      ),
      ("abc", "'abc' is not an id or a range of ids; write e.g. 3,17,100-120"),
      ("3-", "'3-' is not an id or a range of ids; write e.g. 3,17,100-120"),
      ("-3", "'-3' is not an id or a range of ids; write e.g. 3,17,100-120"),
      ("1-2-3", "'1-2-3' is not an id or a range of ids; write e.g. 3,17,100-120"),
      ("1,,2", "'1,,2' has an empty item"),
      ("0-99999999999", "'0-99999999999' holds more than 10000000 ids"),
    ] as [(String, String)])
  func badIDListsAreUsageErrorsNamingTheOptionAndItem(list: String, message: String) {
    let r = expunge("forget", "--store", "/nonexistent", "--ids", list)
    #expect(r.status == 64)
    #expect(r.err.hasPrefix("Error: invalid value for '--ids': \(message)\nUsage: expunge forget"))
    #expect(r.out.isEmpty)
  }

  @Test func badRangesInTheOtherListsAreUsageErrorsToo() {
    for (option, value, message) in [
      ("relabel", "9-3:1", "'9-3' is a reversed range; write 3-9"),
      ("zero-features", "1-x:2", "'1-x' is not an id or a range of ids; write e.g. 3,17,100-120"),
      ("zero-columns", "5,8-7", "'8-7' is a reversed range; write 7-8"),
    ] {
      let r = expunge("forget", "--store", "/nonexistent", "--\(option)", value)
      #expect(r.status == 64, "\(option)")
      #expect(
        r.err.hasPrefix("Error: invalid value for '--\(option)': \(message)\n"), "\(r.err)")
    }
  }

  @Test func rangesForgetEveryIDInThem() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = Self.store(in: dir)
    let r = expunge("forget", "--store", store, "--ids", "500-505", "--json")
    #expect(r.status == 0, "\(r.err)")
    let record = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
    #expect(record?["ids"] as? [Int] == Array(500...505))
    #expect(record?["removed"] as? Int == 6)

    let file = dir.appendingPathComponent("ids.txt")
    try "# withdrawn\n10-12\n20,21  # two more\n\n".write(
      to: file, atomically: true, encoding: .utf8)
    let f = expunge("forget", "--store", store, "--ids-file", file.path, "--json")
    #expect(f.status == 0, "\(f.err)")
    let fromFile = try JSONSerialization.jsonObject(with: Data(f.out.utf8)) as? [String: Any]
    #expect(fromFile?["ids"] as? [Int] == [10, 11, 12, 20, 21])

    let relabel = expunge("forget", "--store", store, "--relabel", "30-32:1")
    #expect(relabel.status == 0, "\(relabel.err)")
    #expect(relabel.out.hasPrefix("Corrected 3 "), "\(relabel.out)")
  }

  @Test func aBadRangeInAnIDsFileIsBadDataNamingTheLine() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("ids.txt")
    try "1\n# fine\n12-10\n".write(to: file, atomically: true, encoding: .utf8)
    let r = expunge("forget", "--store", Self.store(in: dir), "--ids-file", file.path)
    #expect(r.status == 65)
    #expect(r.err == "Error: \(file.path):3: '12-10' is a reversed range; write 10-12\n")
  }
}
