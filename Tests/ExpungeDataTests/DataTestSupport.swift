import Foundation

/// A scratch directory for one test; the test removes it with `defer`.
struct Scratch {
  let url: URL

  init(_ name: String = #function) {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-data-\(name.filter(\.isLetter))-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// Writes `bytes` to `name` and returns its path.
  func write(_ name: String, _ bytes: Data) -> String {
    let path = url.appendingPathComponent(name).path
    precondition(
      FileManager.default.createFile(atPath: path, contents: bytes), "cannot write \(path)")
    return path
  }

  func write(_ name: String, _ text: String) -> String { write(name, Data(text.utf8)) }

  /// Gzips the file at `path` with the system's gzip (an independent encoder) and returns
  /// the `.gz` path.
  func gzip(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-k", "-f", path]
    try process.run()
    process.waitUntilExit()
    return path + ".gz"
  }

  func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The message a throwing call fails with (`nil` when it does not throw).
func failure(_ body: () throws -> Any) -> String? {
  do {
    _ = try body()
    return nil
  } catch {
    return "\(error)"
  }
}
