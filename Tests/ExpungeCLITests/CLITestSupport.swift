import ExpungeCLI
import Foundation

/// Runs `expunge` in-process and returns its exit status, stdout and stderr.
func expunge(_ arguments: String...) -> (status: Int32, out: String, err: String) {
  expunge(arguments)
}

func expunge(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
  let console = RecordingConsole()
  let status = ExpungeCommandLine.run(arguments, console: console)
  return (status, console.out, console.err)
}

/// A fresh temporary directory, removed by the caller via `defer`.
func temporaryDirectory(_ name: String = #function) -> URL {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("expunge-cli-\(name.filter(\.isLetter))-\(UUID().uuidString)")
  try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
