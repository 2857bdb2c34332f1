import ExpungeData
import ExpungeModels
import Foundation

/// A model directory opened for use on new data: the classifier plus what must happen to
/// data before it sees it (the training run's class selection, scaling and standardization,
/// which `EvaluationTarget.prepare` applies).
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
}
