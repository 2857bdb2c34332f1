import Foundation

/// Debian's `chromium` run headless from the command line, to see a page as a browser draws
/// it: a screenshot and the DOM it parsed. Every run is under coreutils `timeout`, which
/// kills the browser's whole process group, so a wedged renderer fails the check instead of
/// hanging it.
struct HeadlessChromium {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// `$EXPUNGE_CHROMIUM`, else Debian's launcher (which `make check-report` installs).
  static let executable =
    ProcessInfo.processInfo.environment["EXPUNGE_CHROMIUM"] ?? "/usr/bin/chromium"
  /// Seconds before a run is killed; a page of inline SVG takes about one.
  static let timeLimit = 60

  /// Scratch space for profiles and the browser's stderr; the caller removes it.
  let workDirectory: URL

  /// A `width`×`height` PNG of `page` at one device pixel per CSS pixel.
  func screenshot(of page: URL, to png: URL, width: Int, height: Int) throws {
    try run(
      ["--screenshot=\(png.path)", "--window-size=\(width),\(height)", page.absoluteString],
      name: "screenshot")
  }

  /// The DOM after parsing and layout, serialized back to HTML.
  func dumpDOM(of page: URL) throws -> String {
    let dom = try run(["--dump-dom", page.absoluteString], name: "dump-dom")
    return String(decoding: dom, as: UTF8.self)
  }

  /// Runs the browser with the flags every run needs and returns its stdout.
  @discardableResult
  private func run(_ arguments: [String], name: String) throws -> Data {
    let profile = workDirectory.appendingPathComponent("profile-\(name)")
    let stdout = workDirectory.appendingPathComponent("\(name).out")
    let stderr = workDirectory.appendingPathComponent("\(name).err")
    for file in [stdout, stderr]
    where !FileManager.default.createFile(atPath: file.path, contents: nil) {
      throw Failure(description: "cannot create \(file.path)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments =
      ["--kill-after=5", String(Self.timeLimit), Self.executable]
      + [
        "--headless",
        // Chromium's sandbox refuses to start as root and needs user namespaces, which
        // containers often lack; the page is our own, without script.
        "--no-sandbox",
        "--disable-gpu",
        // Docker's /dev/shm is 64 MB by default: too small for the renderer's shared memory.
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--no-first-run",
        // A fresh profile per run: nothing from ~/.config, and concurrent runs do not
        // contend for one profile's lock.
        "--user-data-dir=\(profile.path)",
      ] + arguments
    // Files, not pipes: a browser child that outlives the kill cannot hold a pipe open and
    // block the read.
    process.standardOutput = try FileHandle(forWritingTo: stdout)
    process.standardError = try FileHandle(forWritingTo: stderr)
    do {
      try process.run()
    } catch {
      throw Failure(description: "cannot start /usr/bin/timeout \(Self.executable): \(error)")
    }
    process.waitUntilExit()
    let status = process.terminationStatus
    guard status == 0 else {
      let log = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
      let tail = log.split(separator: "\n").suffix(5).joined(separator: "\n")
      let reason =
        switch status {
        case 124, 137: "was killed after \(Self.timeLimit) s"
        case 126, 127: "cannot be run (make check-report installs Debian's chromium)"
        default: "exited with status \(status)"
        }
      throw Failure(description: "\(Self.executable) (\(name)) \(reason); stderr ends:\n\(tail)")
    }
    return FileManager.default.contents(atPath: stdout.path) ?? Data()
  }
}
