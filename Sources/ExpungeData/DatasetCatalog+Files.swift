import Foundation

extension DatasetCatalog {
  /// Whether `spec` names a built-in dataset rather than a file (a file of that name is
  /// never read).
  public static func isBuiltIn(_ spec: String) -> Bool {
    ["fashion-mnist", "fashion-mnist:train", "fashion-mnist:test", "synthetic"].contains(spec)
      || spec.hasPrefix("synthetic:")
  }

  /// The files `load(spec, options:)` reads, in a fixed order: the data file and the
  /// labels file beside it, if any; Fashion-MNIST's two files; none for `synthetic:`.
  public static func filesRead(by spec: String, options: LoadOptions = .init()) -> [String] {
    switch spec {
    case "fashion-mnist", "fashion-mnist:train": return fashionMNISTFiles(split: "train")
    case "fashion-mnist:test": return fashionMNISTFiles(split: "t10k")
    default: break
    }
    if isBuiltIn(spec) { return [] }
    let lower = spec.lowercased()
    if lower.hasSuffix(".npy") { return [spec] + (options.labelsPath.map { [$0] } ?? []) }
    if lower.contains("idx3-ubyte") { return [spec, idxLabelsPath(images: spec)] }
    return [spec]
  }

  /// Fashion-MNIST's images and labels files for `split` (train or t10k).
  static func fashionMNISTFiles(split: String) -> [String] {
    let dir = fashionMNISTDirectory
    return ["\(dir)/\(split)-images-idx3-ubyte.gz", "\(dir)/\(split)-labels-idx1-ubyte.gz"]
  }

  /// The IDX labels file beside an images file: `…images-idx3-ubyte…` → `…labels-idx1-ubyte…`.
  static func idxLabelsPath(images: String) -> String {
    images.replacingOccurrences(of: "idx3-ubyte", with: "idx1-ubyte")
      .replacingOccurrences(of: "images", with: "labels")
  }
}
