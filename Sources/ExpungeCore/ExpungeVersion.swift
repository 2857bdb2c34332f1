/// This build of Expunge.
public enum ExpungeVersion {
  /// The version `expunge --version` prints and saved models and stores record
  /// (semantic versioning).
  public static let current = "0.1.0"
}
