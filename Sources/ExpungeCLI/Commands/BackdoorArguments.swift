import ExpungeData
import Foundation

/// `expunge train --backdoor-ids FILE --trigger corner:3x3 --target-label K`: poison chosen
/// rows on purpose, so that an audit can later test whether they were really forgotten.
enum BackdoorArguments {
  static let group = "BACKDOOR OPTIONS"

  static let options: [OptionSpec] = [
    OptionSpec(
      name: "backdoor-ids", valueName: "file",
      help:
        "Stamp the trigger on these rows (ids, one per line) and relabel them --target-label, to verify their deletion later with 'expunge audit'.",
      group: group),
    OptionSpec(
      name: "trigger", valueName: "spec",
      help: "With --backdoor-ids: corner:WxH[@value], a bottom-right patch set to value.",
      defaultValue: "corner:3x3", group: group),
    OptionSpec(
      name: "target-label", valueName: "k", help: "With --backdoor-ids: the label they get.",
      group: group),
  ]

  /// Reads the options and poisons `data`; returns it unchanged (and nil) without them.
  /// Checked: the options go together, the trigger parses and fits the (square) images, the
  /// target is a class of the data, every id is a row of it.
  static func apply(_ a: ParsedArguments, to data: Dataset) throws -> (Dataset, Backdoor?) {
    guard let path = a.string("backdoor-ids") else {
      if let option = ["trigger", "target-label"].first(where: { a.has($0) }) {
        throw CLIError.usage("option '--\(option)' needs --backdoor-ids", command: a.spec)
      }
      return (data, nil)
    }
    guard let target = try a.int("target-label", in: 0...Int(Int32.max)) else {
      throw CLIError.usage("--backdoor-ids needs --target-label K", command: a.spec)
    }
    let spec = a.string("trigger") ?? "corner:3x3"
    guard let trigger = BackdoorTrigger(spec) else {
      throw a.invalid("trigger", spec, "corner:WxH or corner:WxH@value, e.g. corner:3x3")
    }
    guard target < data.classCount else {
      throw CLIError.data(
        "--target-label \(target): \(data.source) has \(data.classCount) classes (0…\(data.classCount - 1))"
      )
    }
    guard trigger.side(featureCount: data.featureCount) != nil else {
      throw CLIError.data(
        "--trigger \(spec): rows of \(data.source) have \(data.featureCount) features, not a square image the patch fits in"
      )
    }
    let ids = try ForgetCommand.readIDs(path)
    let present = Set(data.ids)
    if let missing = ids.first(where: { !present.contains($0) }) {
      throw CLIError.data("\(path): id \(missing) is not a row of \(data.source)")
    }
    let backdoor = Backdoor(trigger: trigger, targetLabel: Int32(target), ids: Set(ids))
    return (backdoor.poison(data), backdoor)
  }
}
