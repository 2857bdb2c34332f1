import ExpungeData

/// The options every data-reading command shares, and how they become a `Dataset`.
enum DataArguments {
  static let group = "DATA OPTIONS"

  /// `--data` plus the loader options. `dataHelp` says what the data is for in this command.
  static func options(dataHelp: String, required: Bool = true) -> [OptionSpec] {
    [
      OptionSpec(
        name: "data", valueName: "spec",
        help: dataHelp
          + " A built-in name (fashion-mnist, fashion-mnist:test, synthetic:n=…,d=…,classes=…,seed=…) or a .csv, .tsv, .csv.gz, .tsv.gz, .libsvm, .npy or IDX file.",
        isRequired: required),
      OptionSpec(
        name: "label-column", valueName: "column",
        help: "CSV column holding the class: a header name, a 0-based index, first or last.",
        defaultValue: "last", group: group),
      OptionSpec(
        name: "id-column", valueName: "column",
        help:
          "CSV column holding stable row ids (non-negative integers). Without it, ids are row numbers.",
        group: group),
      .flag("no-header", "The CSV file has no header row (default: detected).", group: group),
      OptionSpec(
        name: "skip-rows", valueName: "n",
        help:
          "Skip the CSV file's first n lines (e.g. a line of counts before the header); messages keep the file's line numbers.",
        defaultValue: "0", group: group),
      OptionSpec(
        name: "labels-file", valueName: "file", help: "NPY file of labels, for NPY features.",
        group: group),
      OptionSpec(
        name: "classes", valueName: "list",
        help:
          "Keep only these classes, relabelled 0, 1, … in the order given, e.g. 0,6 for a binary task.",
        group: group),
      OptionSpec(
        name: "limit", valueName: "n",
        help: "Keep n rows, stratified by class and chosen by --seed.", group: group),
    ]
  }

  /// The loader options the command line gives.
  static func loadOptions(_ arguments: ParsedArguments) throws -> LoadOptions {
    var options = LoadOptions()
    if let label = arguments.string("label-column") {
      options.labelColumn = try columnSelector(label, option: "label-column", arguments)
    }
    if let id = arguments.string("id-column") {
      options.idColumn = try columnSelector(id, option: "id-column", arguments)
    }
    if arguments.flag("no-header") { options.hasHeader = false }
    options.skipRows = try arguments.int("skip-rows", in: 0...Int.max) ?? 0
    options.labelsPath = arguments.string("labels-file")
    return options
  }

  /// Loads `--data` with the loader options, then applies `--classes` and `--limit`.
  /// - Parameters:
  ///   - limited: apply `--limit` (training data); false for held-out data.
  ///   - hasLabels: false for a CSV file without a label column (rows to predict).
  static func load(
    _ arguments: ParsedArguments, spec dataSpec: String? = nil, seed: UInt64 = 0,
    limited: Bool = true, hasLabels: Bool = true
  ) throws -> Dataset {
    var options = try loadOptions(arguments)
    options.hasLabels = hasLabels
    var data = try DatasetCatalog.load(dataSpec ?? arguments.required("data"), options: options)
    if let classes = try selectedClasses(arguments) {
      data = try data.selectingClasses(classes)
    }
    if limited, let limit = try arguments.int("limit", in: 1...Int.max) {
      data = try data.limited(to: limit, seed: seed)
    }
    try data.validateFinite()
    return data
  }

  /// `--classes` as labels, checked to be distinct and non-negative.
  static func selectedClasses(_ arguments: ParsedArguments) throws -> [Int32]? {
    guard let list = try arguments.intList("classes", minimum: 0) else { return nil }
    guard Set(list).count == list.count, list.count >= 2 else {
      throw arguments.invalid(
        "classes", arguments.required("classes"), "two or more distinct class labels, e.g. 0,6")
    }
    return list.map { Int32($0) }
  }

  private static func columnSelector(_ text: String, option: String, _ arguments: ParsedArguments)
    throws -> ColumnSelector
  {
    switch text {
    case "first": return .first
    case "last": return .last
    default:
      if let index = Int(text) {
        guard index >= 0 else {
          throw arguments.invalid(option, text, "a 0-based index, a name, first or last")
        }
        return .index(index)
      }
      return .name(text)
    }
  }

  /// The class names a model trained on `source` shows (Fashion-MNIST's, in the order of a
  /// class selection), or nil for data without names.
  static func classNames(source: String, selection: [Int32]?) -> [String]? {
    guard source.hasPrefix("fashion-mnist") else { return nil }
    let names = DatasetCatalog.fashionMNISTClassNames
    return selection.map { $0.map { names[Int($0)] } } ?? names
  }
}
