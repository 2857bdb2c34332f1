import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeUnlearning
import Foundation

/// Saves and loads SISA checkpoints as directories: the model (`config.json`,
/// `weights.safetensors`, with the stage's standardizer when the store standardizes) plus,
/// for the MLP, `optimizer.safetensors` (Adam's moments, the step count in its metadata).
enum CheckpointFiles {
  static let optimizerFile = "optimizer.safetensors"

  /// Writes `checkpoint` to `directory`, replacing what is there: into a temporary sibling
  /// first, then renames (see `replace`), so the directory is always either the old or the
  /// new checkpoint, or — after a crash between the two renames — the old one moved aside,
  /// which `read` puts back.
  static func write(_ checkpoint: SISACheckpoint, to directory: URL, metadata: ModelMetadata)
    throws
  {
    try writeDirectory(directory) { temporary in
      try ModelDirectory.save(
        checkpoint.model, standardizer: checkpoint.standardizer, metadata: metadata,
        to: temporary)
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

  /// Moves `temporary` to `directory`. An older `directory` is first moved aside (to a
  /// dot-named sibling, deleted once the new one is in place), never deleted first: a crash
  /// in between leaves it there for `restoreInterrupted`, so the directory is never simply
  /// gone — an update in place (`--method newton`, `influence`) reads the model it replaces.
  static func replace(_ directory: URL, with temporary: URL) throws {
    let fm = FileManager.default
    let aside = movedAside(directory)
    if fm.fileExists(atPath: directory.path) {
      try? fm.removeItem(at: aside)  // left by a replace that crashed after its rename
      try fm.moveItem(at: directory, to: aside)
    }
    try fm.moveItem(at: temporary, to: directory)
    AtomicFile.syncDirectory(directory.deletingLastPathComponent())
    try? fm.removeItem(at: aside)
  }

  /// Puts back the directory a crashed `replace` had moved aside, if it is missing.
  static func restoreInterrupted(_ directory: URL) throws {
    let fm = FileManager.default
    let aside = movedAside(directory)
    guard !fm.fileExists(atPath: directory.path), fm.fileExists(atPath: aside.path) else {
      return
    }
    try fm.moveItem(at: aside, to: directory)
    AtomicFile.syncDirectory(directory.deletingLastPathComponent())
  }

  static func movedAside(_ directory: URL) -> URL {
    directory.deletingLastPathComponent().appendingPathComponent(
      ".\(directory.lastPathComponent).replaced")
  }

  static func read(_ directory: URL) throws -> SISACheckpoint {
    try restoreInterrupted(directory)
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
        kind: kind, step: step, buffer: buffer, parameterCount: model.tensors.parameters.count)
    }
    return SISACheckpoint(
      model: model, optimizerState: state, standardizer: saved.standardizer)
  }
}
