import ExpungeAudit
import ExpungeData
import ExpungeModels
import ExpungeStore
import Foundation

extension AuditCommand {
  /// The subject the command line names — a store's current version (`--store`) or a model
  /// directory with the rows it should have forgotten (`--model`, `--forget`) — with the
  /// data arguments the test rows are read with: the command's, or — for a store audited
  /// without `--data` — the ones `train --store` recorded.
  static func openSubject(
    _ arguments: ParsedArguments
  ) throws -> (subject: AuditSubject, dataArguments: ParsedArguments) {
    switch (arguments.string("store"), arguments.string("model")) {
    case (let path?, nil):
      if arguments.has("forget") {
        throw CLIError.usage(
          "--forget goes with --model; a store knows what it forgot", command: spec)
      }
      return try storeSubject(path, arguments)
    case (nil, let path?):
      guard let forget = arguments.string("forget") else {
        throw CLIError.usage(
          "--model needs --forget FILE: the ids of the rows it should have forgotten",
          command: spec)
      }
      if arguments.has("request") {
        throw CLIError.usage("--request goes with --store", command: spec)
      }
      return try modelSubject(path, forgetFile: forget, arguments)
    default:
      throw CLIError.usage("give --store DIR, or --model DIR with --forget FILE", command: spec)
    }
  }

  private static func storeSubject(
    _ path: String, _ arguments: ParsedArguments
  ) throws -> (subject: AuditSubject, dataArguments: ParsedArguments) {
    let store = try Store.open(URL(fileURLWithPath: path))
    let selection = try store.classSelection()
    let source = try RecordedTrainingData.source(arguments, store: store, command: spec)
    var data = try DataArguments.load(source.arguments, seed: source.seed, limited: true)
    if !source.arguments.has("classes"), let selection {
      data = try data.selectingClasses(selection)
    }
    let request = try arguments.int("request", in: 1...Int.max)
    var subject: AuditSubject
    do {
      subject = try AuditSubject.store(store, trainingData: data, request: request)
    } catch AuditError.forgottenRowsMissing(let source, let found, let expected) {
      throw CLIError.data(
        "\(source): holds \(found) of the \(expected) forgotten rows; give the original training data (and its --id-column)"
      )
    }
    if let note = source.note { subject.notes.append(note) }
    return (subject, source.arguments)
  }

  private static func modelSubject(
    _ path: String, forgetFile: String, _ arguments: ParsedArguments
  ) throws -> (subject: AuditSubject, dataArguments: ParsedArguments) {
    let loaded = try LoadedModel(directory: path)
    let source = try RecordedTrainingData.source(arguments, store: nil, command: spec)
    var data = try DataArguments.load(source.arguments, limited: true)
    if !arguments.has("classes"), let classes = loaded.saved.metadata.classSelection {
      data = try data.selectingClasses(classes)
    }
    try data.requireWidth(
      loaded.model.featureCount, expectedBy: "the model in \(loaded.directory.path)")
    let ids = Set(try ForgetCommand.readIDs(forgetFile))
    var subject: AuditSubject
    do {
      subject = try AuditSubject.modelDirectory(loaded.saved, forgotten: ids, trainingData: data)
    } catch AuditError.forgottenRowsMissing(let source, let found, let expected) {
      throw CLIError.data(
        "\(source): holds \(found) of the \(expected) ids in \(forgetFile); give the model's training data (and its --id-column)"
      )
    }
    // Data read with --classes is already as the model expects; the test rows get it too.
    if arguments.has("classes") { subject.classSelection = nil }
    return (subject, source.arguments)
  }
}
