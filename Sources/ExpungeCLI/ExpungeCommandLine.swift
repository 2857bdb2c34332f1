import Foundation

/// Entry point of the `expunge` executable.
public enum ExpungeCommandLine {
  public static func main() -> Never {
    exit(0)
  }
}
