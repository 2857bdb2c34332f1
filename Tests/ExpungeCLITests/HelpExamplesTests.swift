import ExpungeCore
import ExpungeData
import Foundation
import Testing

/// Every example in every `--help` is a command that works, on the stores and models the
/// other help pages' examples make: they all run in order — the root's, then each command's
/// in the order of the root's SUBCOMMANDS list — in one directory, as a user pasting them
/// would. Fashion-MNIST is cut to its first rows (the release binary reads a copy from
/// `EXPUNGE_FASHION_MNIST_DIR`) and the files the examples name are written first.
@Suite("Help examples", .serialized)
struct HelpExamplesTests {
  static let fashionMNIST = DatasetCatalog.fashionMNISTDirectory
  static let trainRows = 300
  static let testRows = 100

  static var canRun: Bool {
    FileManager.default.isExecutableFile(atPath: CrashSafetyTests.binary)
      && FileManager.default.fileExists(atPath: fashionMNIST + "/train-images-idx3-ubyte.gz")
  }

  /// The EXAMPLES section of a help text.
  static func examples(_ help: String) -> [String] {
    guard let start = help.range(of: "\nEXAMPLES:\n") else { return [] }
    return help[start.upperBound...].split(separator: "\n").map {
      $0.trimmingCharacters(in: .whitespaces)
    }
  }

  /// The command names the root's help lists under SUBCOMMANDS.
  static func subcommands(_ help: String) -> [String] {
    guard let start = help.range(of: "\nSUBCOMMANDS:\n"),
      let end = help.range(of: "\n\n", range: start.upperBound..<help.endIndex)
    else { return [] }
    return help[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap {
      $0.split(separator: " ").first.map(String.init)
    }
  }

  /// The first `rows` images and labels of a Fashion-MNIST split, as (uncompressed) IDX files
  /// under the names the loader looks for.
  static func writeFashionMNIST(split: String, rows: Int, to dir: URL) throws {
    let images = try IDXLoader.images("\(fashionMNIST)/\(split)-images-idx3-ubyte.gz")
    let labels = try IDXLoader.labels("\(fashionMNIST)/\(split)-labels-idx1-ubyte.gz")
    func header(_ dims: [Int]) -> [UInt8] {
      [0, 0, 0x08, UInt8(dims.count)]
        + dims.flatMap { d in (0..<4).reversed().map { UInt8((d >> (8 * $0)) & 0xFF) } }
    }
    var imageBytes = header([rows, 28, 28])
    for i in 0..<rows { imageBytes += images.row(i).map { UInt8(($0 * 255).rounded()) } }
    let labelBytes = header([rows]) + labels.prefix(rows).map { UInt8($0) }
    try Data(imageBytes).write(to: dir.appendingPathComponent("\(split)-images-idx3-ubyte.gz"))
    try Data(labelBytes).write(to: dir.appendingPathComponent("\(split)-labels-idx1-ubyte.gz"))
  }

  /// The files the examples name, as a user would have them.
  static func writeInputs(in dir: URL) throws {
    func write(_ name: String, _ text: String) throws {
      try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    try write("withdrawn.txt", "# consent withdrawn\n5\n20-30\n")
    try write("poisoned.txt", "40-49\n")
    let rows = try DatasetCatalog.load("synthetic:n=90,d=3,classes=3,seed=4")
    var csv = "id,a,b,c,label\n"
    for i in 0..<rows.count {
      csv += "\(100 + i)," + rows.features.row(i).map { String($0) }.joined(separator: ",")
      csv += ",\(rows.labels[i])\n"
    }
    try write("rows.csv", csv)
    try write("new-rows.csv", csv)
    var unlabelled = "id,a,b,c\n"
    var breastCancer = "\(rows.count),3,benign,malignant\n"  // scikit-learn's first line
    for i in 0..<rows.count {
      let features = rows.features.row(i).map { String($0) }.joined(separator: ",")
      unlabelled += "\(100 + i),\(features)\n"
      breastCancer += "\(features),\(rows.labels[i] == 0 ? 0 : 1)\n"  // binary, as there
    }
    try write("unlabelled.csv", unlabelled)
    try write("breast_cancer.csv", breastCancer)
  }

  /// Runs one example line in `dir`: `expunge …` becomes the release binary, `> file` sends
  /// stdout to the file.
  static func run(_ line: String, in dir: URL, fashionMNIST: URL) throws -> (Int32, String) {
    var words = line.split(separator: " ").map(String.init).dropFirst()
    var redirect: String?
    if let arrow = words.firstIndex(of: ">") {
      redirect = words[words.index(after: arrow)]
      words = words[..<arrow]
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CrashSafetyTests.binary)
    process.arguments = Array(words)
    process.currentDirectoryURL = dir
    var environment = ProcessInfo.processInfo.environment
    environment["EXPUNGE_FASHION_MNIST_DIR"] = fashionMNIST.path
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let errText = err.fileHandleForReading.readDataToEndOfFile()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if let redirect { try outData.write(to: dir.appendingPathComponent(redirect)) }
    return (process.terminationStatus, String(decoding: errText, as: UTF8.self))
  }

  @Test(
    .enabled(
      if: canRun,
      "needs the release binary ('swift build -c release --product expunge') and Fashion-MNIST"))
  func everyExampleRuns() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let data = dir.appendingPathComponent("fashion-mnist")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    try Self.writeFashionMNIST(split: "train", rows: Self.trainRows, to: data)
    try Self.writeFashionMNIST(split: "t10k", rows: Self.testRows, to: data)
    try Self.writeInputs(in: dir)

    let root = expunge("--help").out
    let commands = Self.subcommands(root)
    #expect(commands.contains("forget") && commands.contains("train"))
    var lines: [String] = Self.examples(root)
    for command in commands where command != "help" {
      let examples = Self.examples(expunge("help", command).out)
      #expect(!examples.isEmpty, "\(command) --help has no example")
      lines += examples
    }
    var seen: Set<String> = []
    for line in lines where line.hasPrefix("expunge ") && seen.insert(line).inserted {
      let (status, err) = try Self.run(line, in: dir, fashionMNIST: data)
      #expect(status == 0, "\(line)\n\(err)")
    }
  }
}
