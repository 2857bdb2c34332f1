import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation

/// `expunge predict`: class predictions (and probabilities) of a saved model, as CSV.
enum PredictCommand: Command {
  static let spec = CommandSpec(
    name: "predict",
    abstract: "Predict classes of rows with a saved model.",
    discussion:
      "Writes CSV with a header: id, predicted class, and with --proba one probability column per class. Labels in the data, if any, are ignored.",
    options: [
      OptionSpec(
        name: "model", valueName: "dir", help: "Model directory written by 'expunge train'.",
        isRequired: true)
    ] + DataArguments.options(dataHelp: "Rows to predict.") + [
      .flag("proba", "Add one column per class with its probability (ridge: its score)."),
      OptionSpec(
        name: "output", valueName: "file",
        help: "Write the CSV to this file (atomically) instead of stdout."),
    ],
    examples: [
      "expunge predict --model runs/mlp --data fashion-mnist:test --proba > predictions.csv",
      "expunge predict --model runs/ridge --data new-rows.csv --id-column id --output predictions.csv",
    ], jsonHelp: "Print a JSON document instead of CSV.")

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
    let loaded = try LoadedModel(directory: arguments.required("model"))
    if let note = loaded.environmentNote { console.printError(note) }
    let data = try loaded.prepare(arguments)
    let scores = loaded.model.predictProbabilities(data.features)
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
}
