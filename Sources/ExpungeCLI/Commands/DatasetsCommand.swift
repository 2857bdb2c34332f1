import ExpungeData

/// `expunge datasets`: the built-in datasets and the file formats `--data` reads.
enum DatasetsCommand: Command {
  static let spec = CommandSpec(
    name: "datasets",
    abstract: "List the built-in datasets and the file formats --data accepts.",
    options: [], examples: ["expunge datasets", "expunge datasets --json"],
    jsonHelp: "Print the list as one JSON document on stdout.")

  struct Entry: Encodable {
    var name: String
    var description: String
  }

  static let formats = [
    Entry(
      name: "FILE.csv[.gz]",
      description:
        "numeric CSV, gzipped or not (.tsv: tab-separated); --label-column, --id-column, --no-header, --skip-rows, --no-labels (predict)"
    ),
    Entry(name: "FILE.libsvm", description: "LIBSVM / SVMlight sparse rows (also .svm)"),
    Entry(name: "FILE.npy", description: "NumPy array of features, with --labels-file LABELS.npy"),
    Entry(
      name: "FILE-idx3-ubyte[.gz]",
      description: "IDX images (MNIST format), labels from the matching -idx1-ubyte file"),
  ]

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let builtIns = DatasetCatalog.builtIns.map { Entry(name: $0.name, description: $0.description) }
    if arguments.flag("json") {
      struct Listing: Encodable { var builtIn: [Entry]; var formats: [Entry] }
      console.print(try JSONOutput.encode(Listing(builtIn: builtIns, formats: formats)))
      return
    }
    console.print("BUILT-IN DATASETS:")
    for e in builtIns { console.writeOut(HelpFormatter.row(label: e.name, text: e.description)) }
    console.print("")
    console.print("FILE FORMATS:")
    for e in formats { console.writeOut(HelpFormatter.row(label: e.name, text: e.description)) }
  }
}
