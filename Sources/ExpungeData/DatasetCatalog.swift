import Foundation

/// Resolves a `--data` spec to a dataset: a built-in name, a `synthetic:` spec, or a file.
public enum DatasetCatalog {
  /// A built-in dataset, for `expunge datasets`.
  public struct BuiltIn: Sendable {
    public var name: String
    public var description: String
  }

  public static let builtIns: [BuiltIn] = [
    BuiltIn(
      name: "fashion-mnist",
      description:
        "Fashion-MNIST training split: 60 000 28×28 grey images, 10 classes, pixels in [0, 1] (Debian's dataset-fashion-mnist). Alias fashion-mnist:train."
    ),
    BuiltIn(
      name: "fashion-mnist:test",
      description: "Fashion-MNIST test split: 10 000 images (ids 0…9 999, their own id space)."),
    BuiltIn(
      name: "synthetic:n=…,d=…,classes=…,seed=…,sep=…",
      description:
        "Reproducible Gaussian clusters; defaults n=1000, d=20, classes=3, seed=0, sep=2."),
  ]

  /// The names a user can type, for error messages.
  public static var builtInNames: [String] {
    ["fashion-mnist", "fashion-mnist:test", "synthetic:…"]
  }

  /// The ten Fashion-MNIST class names, in label order.
  public static let fashionMNISTClassNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
    "Ankle boot",
  ]

  /// Where the Fashion-MNIST files are: `$EXPUNGE_FASHION_MNIST_DIR` or Debian's location.
  public static var fashionMNISTDirectory: String {
    ProcessInfo.processInfo.environment["EXPUNGE_FASHION_MNIST_DIR"]
      ?? "/usr/share/datasets/fashion-mnist"
  }

  /// Loads `spec`.
  /// - Throws: `DataError` naming the file, line and column of the first problem.
  public static func load(_ spec: String, options: LoadOptions = .init()) throws -> Dataset {
    switch spec {
    case "fashion-mnist", "fashion-mnist:train":
      return try fashionMNIST(split: "train", source: spec)
    case "fashion-mnist:test":
      return try fashionMNIST(split: "t10k", source: spec)
    default:
      break
    }
    if spec.hasPrefix("synthetic:") || spec == "synthetic" {
      let rest = spec.hasPrefix("synthetic:") ? String(spec.dropFirst("synthetic:".count)) : ""
      return try SyntheticSpec(parsing: rest, source: spec).generate(source: spec)
    }
    let lower = spec.lowercased()
    let looksLikeFile = spec.contains("/") || spec.contains(".")
    guard looksLikeFile || FileManager.default.fileExists(atPath: spec) else {
      throw DataError.unknownDataset(name: spec, known: builtInNames)
    }
    guard FileManager.default.fileExists(atPath: spec) else {
      throw DataError.unreadable(path: spec, reason: "no such file")
    }
    if isCSVFile(spec) {
      return try CSVLoader.load(spec, options: options)
    }
    if lower.hasSuffix(".libsvm") || lower.hasSuffix(".svm") || lower.hasSuffix(".svmlight") {
      return try LIBSVMLoader.load(spec, featureCount: options.featureCount)
    }
    if lower.hasSuffix(".npy") {
      guard let labels = options.labelsPath else {
        throw DataError.invalid(
          "\(spec): NPY features need their labels: add --labels-file LABELS.npy")
      }
      return try NPYLoader.dataset(features: spec, labels: labels)
    }
    if lower.contains("idx3-ubyte") {
      return try IDXLoader.dataset(images: spec, labels: idxLabelsPath(images: spec), source: spec)
    }
    throw DataError.invalid(
      "\(spec): unknown file type; use .csv, .tsv (either may be .gz), .libsvm/.svm, .npy or an IDX …-idx3-ubyte[.gz] file"
    )
  }

  /// Whether `spec` names a file `CSVLoader` reads: `.csv`, `.tsv`, gzipped or not.
  public static func isCSVFile(_ spec: String) -> Bool {
    let lower = spec.lowercased()
    return [".csv", ".tsv", ".csv.gz", ".tsv.gz"].contains { lower.hasSuffix($0) }
  }

  private static func fashionMNIST(split: String, source: String) throws -> Dataset {
    let files = fashionMNISTFiles(split: split)
    let (images, labels) = (files[0], files[1])
    guard FileManager.default.fileExists(atPath: images) else {
      throw DataError.unreadable(
        path: images, reason: "no such file; install it with: apt-get install dataset-fashion-mnist"
      )
    }
    return try IDXLoader.dataset(
      images: images, labels: labels, classCount: 10, source: source
    )
  }
}
