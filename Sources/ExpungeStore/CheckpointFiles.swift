import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// Saves and loads SISA checkpoints as directories: the model (`config.json`,
/// `weights.safetensors`) plus, for the MLP, `optimizer.safetensors` (Adam's moments, the
/// step count in its metadata).
enum CheckpointFiles {
  static let optimizerFile = "optimizer.safetensors"

  /// Writes `checkpoint` to `directory`, replacing what is there: into a temporary sibling
  /// first, then a rename, so the directory is always either the old or the new checkpoint
  /// (or, between removal and rename, absent — only ever inside a request a restart redoes).
  static func write(_ checkpoint: SISACheckpoint, to directory: URL, metadata: ModelMetadata)
    throws
  {
    try writeDirectory(directory) { temporary in
      try ModelDirectory.save(checkpoint.model, metadata: metadata, to: temporary)
      if let state = checkpoint.optimizerState {
        try Safetensors.write(
          state.asParameterBuffer(),
          metadata: ["kind": state.kind.rawValue, "step": String(state.step)],
          to: temporary.appendingPathComponent(optimizerFile))
      }
    }
  }

  /// Fills a temporary sibling of `directory` with `fill` (which gets its URL), then puts
  /// it in `directory`'s place: the directory is the old or the new one, never half of it.
  static func writeDirectory(_ directory: URL, fill: (URL) throws -> Void) throws {
    let fm = FileManager.default
    let parent = directory.deletingLastPathComponent()
    try fm.createDirectory(at: parent, withIntermediateDirectories: true)
    let temporary = parent.appendingPathComponent(
      ".\(directory.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    try? fm.removeItem(at: temporary)
    try fill(temporary)
    try replace(directory, with: temporary)
  }

  /// Moves `temporary` to `directory`, removing an older `directory` first; fsyncs the parent.
  static func replace(_ directory: URL, with temporary: URL) throws {
    let fm = FileManager.default
    if fm.fileExists(atPath: directory.path) { try fm.removeItem(at: directory) }
    try fm.moveItem(at: temporary, to: directory)
    AtomicFile.syncDirectory(directory.deletingLastPathComponent())
  }

  static func read(_ directory: URL) throws -> SISACheckpoint {
    let saved = try ModelDirectory.load(from: directory)
    let model = try saved.instantiate()
    var state: OptimizerState?
    let optimizer = directory.appendingPathComponent(optimizerFile)
    if FileManager.default.fileExists(atPath: optimizer.path) {
      let (buffer, metadata, _) = try Safetensors.read(from: optimizer)
      guard let kind = metadata["kind"].flatMap(OptimizerKind.init(rawValue:)),
        let step = metadata["step"].flatMap(Int.init)
      else { throw StoreError.corrupt(path: optimizer.path, reason: "no optimizer kind or step") }
      state = try OptimizerState(
        kind: kind, step: step, buffer: buffer, parameterCount: model.parameters.count)
    }
    return SISACheckpoint(model: model, optimizerState: state)
  }
}
