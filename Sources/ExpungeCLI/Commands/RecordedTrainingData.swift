import ExpungeData
import ExpungeStore
import Foundation

/// The store remembers its data: `train --store` records how it read its rows (the data
/// options, the `--seed` of `--limit`, each file's size and SHA-256); `audit --store` and
/// `evaluate --store` without `--data` read them again that way, once the files prove to be
/// the ones training read.
enum RecordedTrainingData {
  /// The options `DataArguments` reads, by name: what a record keeps.
  static var optionNames: [String] { DataArguments.options(dataHelp: "").map(\.name) }

  /// Digests the files `--data` names; call it before reading them, so a file that changes
  /// while it is read shows as changed later. Records `data` and `labels-file` as absolute
  /// paths, so later commands find them from any directory.
  /// - Throws: `DataError.unreadable` for a file that cannot be read.
  static func record(_ arguments: ParsedArguments, seed: UInt64) throws -> TrainingDataRecord {
    var options: [String: String] = [:]
    var flags: [String] = []
    for name in optionNames where arguments.has(name) {
      if let value = arguments.string(name) { options[name] = value } else { flags.append(name) }
    }
    let spec = arguments.required("data")
    var loadOptions = LoadOptions()
    loadOptions.labelsPath = arguments.string("labels-file")
    let files = try DatasetCatalog.filesRead(by: spec, options: loadOptions).map {
      try FileDigest(of: $0)
    }
    if !DatasetCatalog.isBuiltIn(spec) { options["data"] = absolute(spec) }
    if let labels = options["labels-file"] { options["labels-file"] = absolute(labels) }
    return TrainingDataRecord(options: options, flags: flags, seed: seed, files: files)
  }

  private static func absolute(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }

  /// Where a command reads a store's training data from.
  struct Source {
    /// The command's arguments, with the recorded data options in place of its own when it
    /// gave no `--data`.
    var arguments: ParsedArguments
    /// The seed of `--limit`: the one training used, when the store recorded it.
    var seed: UInt64
    /// For stderr or the report: the file changed, but not its rows that matter.
    var note: String?
  }

  /// The arguments to read the training data of `store` (nil for a model directory) with:
  /// the command's own when it gives `--data`, otherwise the recorded ones — after checking
  /// the files. A changed file is read only when it still holds every row the store trained
  /// on, unchanged.
  /// - Throws: `CLIError.usage` when `--data` is needed (a model directory, a store made
  ///   before stores recorded their data) or data options come without it;
  ///   `CLIError.data` naming the file when it is gone or its rows changed.
  static func source(_ arguments: ParsedArguments, store: Store?, command: CommandSpec) throws
    -> Source
  {
    let record = try store?.trainingData()
    if arguments.has("data") {
      return Source(arguments: arguments, seed: record?.seed ?? 0, note: nil)
    }
    guard let store else {
      throw CLIError.usage("missing '--data <spec>'", command: command)
    }
    guard let record else {
      throw CLIError.usage(
        "missing '--data <spec>': the store \(store.directory.path) was made before stores recorded their training data; give it with --data",
        command: command)
    }
    if let name = optionNames.first(where: { arguments.has($0) }) {
      throw CLIError.usage(
        "option '--\(name)' goes with --data; without it the store's data is read with the options 'train --store' recorded",
        command: command)
    }
    let source = Source(
      arguments: try arguments.replacingDataOptions(with: record), seed: record.seed, note: nil)
    let spec = source.arguments.required("data")
    var loadOptions = LoadOptions()
    loadOptions.labelsPath = source.arguments.string("labels-file")
    let now = DatasetCatalog.filesRead(by: spec, options: loadOptions)
    var changed: [(then: FileDigest, now: FileDigest)] = []
    for (then, path) in zip(record.files, now) {
      let digest: FileDigest
      do {
        digest = try FileDigest(of: path)
      } catch let error as DataError {
        throw CLIError.data(
          "\(error.description) (the store's training data, as 'expunge train --store' recorded it); give --data"
        )
      }
      if digest.sha256 != then.sha256 { changed.append((then, digest)) }
    }
    guard let first = changed.first else { return source }
    return try check(source, store: store, changed: first)
  }

  /// Reads a changed file as training did and compares its rows with the store's.
  private static func check(
    _ source: Source, store: Store, changed: (then: FileDigest, now: FileDigest)
  ) throws -> Source {
    let (then, now) = changed
    let what =
      "\(now.path) changed since 'expunge train --store' read it (\(then.bytes) → \(now.bytes) bytes, SHA-256 \(then.sha256.prefix(12))… → \(now.sha256.prefix(12))…)"
    var data: Dataset
    do {
      data = try DataArguments.load(source.arguments, seed: source.seed)
      try data.requireWidth(store.featureCount, expectedBy: "the store \(store.directory.path)")
    } catch {
      let reason = CLIError.from(error).lines.first.map { String($0.dropFirst("Error: ".count)) }
      throw CLIError.data("\(what) and no longer reads as it did: \(reason ?? "")")
    }
    if let backdoor = try store.backdoor() { data = backdoor.poison(data) }
    let comparison = try store.compareRows(data)
    guard comparison.holdsTrainingRows else {
      let trained = try store.sampleIDs(forgotten: false).count
      var parts: [String] = []
      if !comparison.changed.isEmpty {
        let verb = comparison.changed.count == 1 ? "differs" : "differ"
        parts.append(
          "\(comparison.changed.count) of the store's \(trained) training rows \(verb) (\(ids(comparison.changed)))"
        )
      }
      if !comparison.missing.isEmpty {
        let verb = comparison.missing.count == 1 ? "is" : "are"
        parts.append(
          "\(comparison.missing.count) \(verb) missing (\(ids(comparison.missing)))")
      }
      throw CLIError.data(
        "\(what): \(parts.joined(separator: " and ")). Give --data to read it as it is now")
    }
    var out = source
    out.note =
      "note: \(what), but holds every row the store trained on, unchanged (\(comparison.added) row(s) added)"
    return out
  }

  /// "id 1003" or "ids 1003, 1050, …" (at most five).
  private static func ids(_ list: [SampleID]) -> String {
    let shown = list.prefix(5).map(\.description).joined(separator: ", ")
    return (list.count == 1 ? "id " : "ids ") + shown + (list.count > 5 ? ", …" : "")
  }
}

extension ParsedArguments {
  /// These arguments with every data option (`RecordedTrainingData.optionNames`) replaced by
  /// `record`'s.
  func replacingDataOptions(with record: TrainingDataRecord) throws -> ParsedArguments {
    let names = Set(RecordedTrainingData.optionNames)
    var words: [String] = []
    for (name, value) in values.sorted(by: { $0.key < $1.key }) where !names.contains(name) {
      words.append("--\(name)=\(value)")
    }
    for name in flags.sorted() where !names.contains(name) { words.append("--\(name)") }
    for (name, value) in record.options.sorted(by: { $0.key < $1.key }) where names.contains(name) {
      words.append("--\(name)=\(value)")
    }
    for name in record.flags where names.contains(name) { words.append("--\(name)") }
    return try ParsedArguments(words, spec: spec)
  }
}
