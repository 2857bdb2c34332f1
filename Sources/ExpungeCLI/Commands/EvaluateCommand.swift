import ExpungeData
import ExpungeModels
import Foundation

/// `expunge evaluate`: accuracy, loss, per-class accuracy and the confusion matrix of a saved
/// model on labelled data.
enum EvaluateCommand: Command {
  static let spec = CommandSpec(
    name: "evaluate",
    abstract: "Measure a saved model on labelled data.",
    discussion:
      "Reports accuracy, mean loss, per-class accuracy and the confusion matrix (rows: true class, columns: predicted class). The model's class selection, scaling and standardization are applied to the data first.",
    options: [
      OptionSpec(
        name: "model", valueName: "dir", help: "Model directory written by 'expunge train'."),
      OptionSpec(
        name: "store", valueName: "dir",
        help: "Evaluate a store's current model instead (SISA ensemble)."),
    ]
      + DataArguments.options(
        dataHelp:
          "Labelled data to evaluate on. With --store it defaults to the store's training data, read as 'train --store' read it (refused if the file changed).",
        required: false),
    examples: [
      "expunge evaluate --model runs/mlp --data fashion-mnist:test",
      "expunge evaluate --model runs/mlp --data fashion-mnist:test --json",
      "expunge evaluate --store runs/fm --data fashion-mnist:test",
    ],
    alternatives: "(--model <dir> | --store <dir>)")

  /// What `evaluate --json` prints.
  struct Result: Encodable {
    var model: String
    var data: String
    var rows: Int
    var accuracy: Double
    var meanLoss: Double?
    var perClassAccuracy: [Double?]
    var classCounts: [Int]
    var confusionMatrix: [[Int]]
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let target = try EvaluationTarget(arguments, command: spec)
    if let note = target.environmentNote { console.printError(note) }
    if let note = target.source.note { console.printError(note) }
    let data = try target.prepare()
    guard !data.isEmpty else { throw CLIError.data("\(data.source): no rows to evaluate") }
    let k = target.classCount
    if let bad = data.labels.first(where: { Int($0) >= k }) {
      throw CLIError.data(
        "\(data.source): label \(bad) is not a class of the model in \(target.name) (it has \(k) classes)"
      )
    }
    let predicted = try target.probabilities(data.features).argmaxRows()
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
    for (truth, guess) in zip(data.labels, predicted) { confusion[Int(truth)][guess] += 1 }
    let counts = confusion.map { $0.reduce(0, +) }
    let correct = (0..<k).map { confusion[$0][$0] }
    let result = Result(
      model: target.name, data: data.source, rows: data.count,
      accuracy: Double(correct.reduce(0, +)) / Double(data.count),
      meanLoss: target.meanLoss?(data.features, data.labels),
      perClassAccuracy: (0..<k).map {
        counts[$0] > 0 ? Double(correct[$0]) / Double(counts[$0]) : nil
      },
      classCounts: counts, confusionMatrix: confusion)
    if arguments.flag("json") {
      console.print(try JSONOutput.encode(result))
    } else {
      printReport(result, classNames: target.classNames, console: console)
    }
  }

  static func printReport(_ r: Result, classNames: [String]?, console: Console) {
    console.print("Model \(r.model) on \(r.data) (\(r.rows) rows)")
    console.print(String(format: "  accuracy   %.4f", r.accuracy))
    if let loss = r.meanLoss { console.print(String(format: "  mean loss  %.4f", loss)) }
    console.print("")
    console.print("  class                 rows  accuracy")
    for (c, accuracy) in r.perClassAccuracy.enumerated() {
      let name = classNames.flatMap { c < $0.count ? "\(c) \($0[c])" : nil } ?? "\(c)"
      let shown = accuracy.map { String(format: "%.4f", $0) } ?? "-"
      console.print(
        "  " + name.padding(toLength: 20, withPad: " ", startingAt: 0)
          + String(format: "%6d", r.classCounts[c]) + "  " + shown)
    }
    console.print("")
    console.print("  confusion matrix (rows: true class, columns: predicted)")
    let width = max(5, String(r.classCounts.max() ?? 0).count + 1)
    let pad = { (s: String) in String(repeating: " ", count: max(0, width - s.count)) + s }
    console.print("      " + (0..<r.confusionMatrix.count).map { pad(String($0)) }.joined())
    for (c, row) in r.confusionMatrix.enumerated() {
      console.print("  " + pad(String(c)).suffix(4) + row.map { pad(String($0)) }.joined())
    }
  }
}
