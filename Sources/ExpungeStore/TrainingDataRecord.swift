import ExpungeData

/// How a store's training rows were read — the reader's options as its caller gave them, the
/// seed that chose a limited subset, and the size and SHA-256 of every file read — so a later
/// command can read them again without being told, and tell whether the files are still the
/// ones training read.
///
/// The store keeps the options without reading them (they are the command line's data
/// options: `data`, `id-column`, `limit`, …); the command that reads them back parses them
/// as it parses its own. Like the ledger's row hashes, the digests can confirm a copy of the
/// original file, forgotten rows included.
public struct TrainingDataRecord: Codable, Sendable, Equatable {
  /// Options with a value, by name (`data` holds the spec: a built-in name, or a file as an
  /// absolute path).
  public var options: [String: String]
  /// Options given without a value (flags), by name, sorted.
  public var flags: [String]
  /// The seed that chose the rows a limit kept.
  public var seed: UInt64
  /// Every file read, in the order the reader reads them.
  public var files: [FileDigest]

  public init(options: [String: String], flags: [String], seed: UInt64, files: [FileDigest]) {
    self.options = options
    self.flags = flags.sorted()
    self.seed = seed
    self.files = files
  }
}

/// How rows read from a data file compare with the rows a store trained on.
public struct TrainingRowComparison: Sendable, Equatable {
  /// Training rows of the store (kept or forgotten) that the data lacks, by id, sorted.
  public var missing: [SampleID]
  /// Training rows whose label or features differ from those the store trained on, sorted.
  public var changed: [SampleID]
  /// Rows of the data that are not training rows of the store.
  public var added: Int

  /// Whether every training row of the store is in the data, unchanged.
  public var holdsTrainingRows: Bool { missing.isEmpty && changed.isEmpty }
}
