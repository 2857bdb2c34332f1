import Foundation
import Testing

/// docs/swift.md shows the example package `make example` builds and runs, as it is.
@Suite("Swift docs example")
struct SwiftDocsExampleTests {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func text(_ path: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
  }

  @Test(arguments: [
    "Examples/LibraryUser/Package.swift", "Examples/LibraryUser/Sources/LibraryUser/main.swift",
  ])
  func thePageShowsTheExampleFile(_ path: String) throws {
    let page = try Self.text("docs/swift.md")
    let file = try Self.text(path)
    #expect(file.contains("import"))
    #expect(page.contains("```swift\n" + file + "```\n"), "docs/swift.md differs from \(path)")
  }
}
