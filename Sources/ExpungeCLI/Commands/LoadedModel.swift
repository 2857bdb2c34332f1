import ExpungeData
import ExpungeModels
import Foundation

/// A model directory opened for use on new data: the classifier plus what must happen to
/// data before it sees it (the training run's class selection, scaling and standardization).
struct LoadedModel {
  var model: any Classifier
  var saved: SavedModel
  var directory: URL

  init(directory path: String) throws {
    directory = URL(fileURLWithPath: path)
    saved = try ModelDirectory.load(from: directory)
    model = try saved.instantiate()
  }

  /// A note for stderr when the model records another numeric environment than this
  /// machine's.
  var environmentNote: String? { EnvironmentCheck.note(for: saved.metadata, in: directory) }

  /// Loads `--data` as the model's training run prepared its data: same class selection
  /// (unless `--classes` overrides it), same scaling and standardizer, and the width checked.
  func prepare(_ arguments: ParsedArguments) throws -> Dataset {
    var data = try DataArguments.load(arguments)
    if !arguments.has("classes"), let classes = saved.metadata.classSelection {
      data = try data.selectingClasses(classes)
    }
    try data.requireWidth(model.featureCount, expectedBy: "the model in \(directory.path)")
    if let scaling = saved.metadata.featureScaling { data = scaling.transform(data) }
    if let standardizer = saved.standardizer { data = standardizer.transform(data) }
    return data
  }
}
