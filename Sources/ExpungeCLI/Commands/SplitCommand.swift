import ExpungeCore
import ExpungeData
import Foundation

/// `expunge split`: labelled rows into a training and a test CSV file, stratified by class,
/// every row keeping its id.
enum SplitCommand: Command {
  static let spec = CommandSpec(
    name: "split",
    abstract: "Split labelled rows into stratified training and test CSV files.",
    discussion:
      "Every class gives the same fraction of its rows to the test file (the classes with the largest remainders get the spare rows), chosen by --seed; both files keep the input's row order. They have a header and the columns id, the features (named as in the input, or x1, x2, …) and label. Load them with --id-column id and every row keeps the id it had in the input: its --id-column value, or else its row number there (from 0). Each file is written atomically; existing files are refused without --force.",
    options: DataArguments.options(dataHelp: "Labelled rows to split.") + [
      OptionSpec(
        name: "out-train", valueName: "file", help: "CSV file for the training rows.",
        isRequired: true),
      OptionSpec(
        name: "out-test", valueName: "file", help: "CSV file for the test rows.",
        isRequired: true),
      OptionSpec(
        name: "test-fraction", valueName: "f",
        help: "Fraction of every class that goes to the test file, in (0, 1).",
        defaultValue: "0.25"),
      OptionSpec(
        name: "seed", valueName: "s", help: "Seed of the split (and of --limit).",
        defaultValue: "0"),
      .flag("force", "Replace the output files if they exist."),
    ],
    examples: [
      "expunge split --data breast_cancer.csv --skip-rows 1 --test-fraction 0.2 --seed 1 --out-train train.csv --out-test test.csv",
      "expunge train --data train.csv --id-column id --model logistic --out runs/bc",
    ], jsonHelp: "Print the counts as one JSON document on stdout.")

  /// What `split --json` prints.
  struct Result: Encodable {
    struct Part: Encodable {
      var path: String
      var rows: Int
      var classCounts: [Int]
    }
    var data: String
    var seed: UInt64
    var testFraction: Double
    var idColumn: String
    var train: Part
    var test: Part
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let testFraction =
      try arguments.double(
        "test-fraction", where: { $0 > 0 && $0 < 1 }, expected: "a fraction in (0, 1)") ?? 0.25
    let seed = try arguments.uint64("seed") ?? 0
    let outputs = [arguments.required("out-train"), arguments.required("out-test")]
    for (option, path) in zip(["out-train", "out-test"], outputs)
    where !path.lowercased().hasSuffix(".csv") {
      throw arguments.invalid(option, path, "a file name ending in .csv")
    }
    guard outputs[0] != outputs[1] else {
      throw CLIError.usage("--out-train and --out-test name the same file", command: spec)
    }
    if !arguments.flag("force"),
      let existing = outputs.first(where: { FileManager.default.fileExists(atPath: $0) })
    {
      throw CLIError.data("\(existing): exists; give --force to replace it")
    }

    let data = try DataArguments.load(arguments, seed: seed)
    let (train, test) = try data.split(validationFraction: testFraction, seed: seed)
    for (part, path) in zip([train, test], outputs) {
      try AtomicFile.write(CSVWriter.csv(part), to: URL(fileURLWithPath: path))
    }

    let result = Result(
      data: data.source, seed: seed, testFraction: testFraction, idColumn: CSVWriter.idColumn,
      train: .init(path: outputs[0], rows: train.count, classCounts: train.classCounts),
      test: .init(path: outputs[1], rows: test.count, classCounts: test.classCounts))
    if arguments.flag("json") {
      console.print(try JSONOutput.encode(result))
    } else {
      console.print(
        "Wrote \(train.count) rows to \(outputs[0]) and \(test.count) rows to \(outputs[1]) (stratified by class, seed \(seed))."
      )
      console.print(
        "Load them with --id-column \(CSVWriter.idColumn): every row keeps its id from \(data.source)."
      )
    }
  }
}
