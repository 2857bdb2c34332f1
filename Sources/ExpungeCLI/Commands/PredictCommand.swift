import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// `expunge predict`: class predictions (and probabilities) of a saved model or of a store's
/// ensemble, as CSV.
enum PredictCommand: Command {
  static let spec = CommandSpec(
    name: "predict",
    abstract: "Predict classes of rows with a saved model or a store's ensemble.",
    discussion:
      "Writes CSV with a header: id, predicted class, and with --proba one probability column per class. With --store the store's ensemble predicts, combined as the store aggregates (what 'evaluate --store' measures). The rows need no labels: a CSV file with as many columns as the model has features (besides its --id-column) is read as unlabelled, or say so with --no-labels. Labels, if any, are ignored.",
    options: [
      OptionSpec(
        name: "model", valueName: "dir", help: "Model directory written by 'expunge train'."),
      OptionSpec(
        name: "store", valueName: "dir",
        help: "Predict with a store's SISA ensemble instead."),
      OptionSpec(
        name: "version", valueName: "n",
        help: "With --store: the model version to use, if its files are still there.",
        defaultValue: "the current one"),
    ] + DataArguments.options(dataHelp: "Rows to predict.") + [
      .flag(
        "no-labels",
        "The CSV file has no label column: every column but the --id-column is a feature (default: detected from the width).",
        group: DataArguments.group),
      .flag(
        "proba",
        "Add one column per class with its probability (ridge: its score; a store voting: the share of votes)."
      ),
      OptionSpec(
        name: "output", valueName: "file",
        help: "Write the CSV to this file (atomically) instead of stdout."),
    ],
    examples: [
      "expunge predict --model runs/mlp --data fashion-mnist:test --proba > predictions.csv",
      "expunge predict --model runs/ridge --data new-rows.csv --id-column id --output predictions.csv",
      "expunge predict --model runs/ridge --data unlabelled.csv --id-column id --no-labels",
      "expunge predict --store runs/fm --data fashion-mnist:test --proba --json",
    ],
    alternatives: "(--model <dir> | --store <dir>)",
    jsonHelp: "Print a JSON document instead of CSV.")

  struct Row: Encodable {
    var id: UInt64
    var predicted: Int32
    var probabilities: [Float]?
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    if arguments.flag("quiet") && !arguments.flag("json") && !arguments.has("output") {
      throw CLIError.usage(
        "--quiet prints nothing on stdout, so the predictions need --output <file>", command: spec)
    }
    if arguments.flag("no-labels"),
      let option = ["label-column", "classes"].first(where: {
        arguments.has($0)
      })
    {
      throw CLIError.usage(
        "--\(option) needs labels; --no-labels says there are none", command: spec)
    }
    let target = try EvaluationTarget(arguments, command: spec)
    if let note = target.environmentNote { console.printError(note) }
    let hasLabels = try rowsHaveLabels(arguments, featureCount: target.featureCount)
    if !hasLabels, arguments.has("classes") {
      throw CLIError.data(
        "\(arguments.required("data")): has no label column (as many columns as the model's \(target.featureCount) features); --classes needs labels"
      )
    }
    let data = try target.prepare(hasLabels: hasLabels)
    let scores = try target.probabilities(data.features)
    let predicted = scores.argmaxRows()
    let withProba = arguments.flag("proba")
    let text: String
    if arguments.flag("json") {
      let rows = (0..<data.count).map { i in
        Row(
          id: data.ids[i].rawValue, predicted: Int32(predicted[i]),
          probabilities: withProba ? scores.row(i) : nil)
      }
      text = try JSONOutput.encode(rows) + "\n"
    } else {
      var csv = "id,predicted"
      if withProba { csv += (0..<scores.cols).map { ",p\($0)" }.joined() }
      csv += "\n"
      for i in 0..<data.count {
        csv += "\(data.ids[i]),\(predicted[i])"
        if withProba {
          for c in 0..<scores.cols { csv += "," + String(scores[i, c]) }
        }
        csv += "\n"
      }
      text = csv
    }
    if let output = arguments.string("output") {
      try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
    } else {
      console.writeOut(text)
    }
  }

  /// Whether the rows have a label column: not with `--no-labels`, yes with
  /// `--label-column`; otherwise a CSV file has none when its columns, less the id column,
  /// are exactly the model's features (a labelled file has one column more).
  static func rowsHaveLabels(_ arguments: ParsedArguments, featureCount: Int) throws -> Bool {
    if arguments.flag("no-labels") { return false }
    let spec = arguments.required("data")
    guard !arguments.has("label-column"), DatasetCatalog.isCSVFile(spec),
      FileManager.default.fileExists(atPath: spec)
    else { return true }
    let options = try DataArguments.loadOptions(arguments)
    let columns = try CSVLoader.columnCount(spec, options: options)
    return columns - (options.idColumn == nil ? 0 : 1) != featureCount
  }
}
