import ExpungeCore
import ExpungeStore
import ExpungeUnlearning

/// `forget --set key=value,…`: a model-update method's settings, checked against the
/// method before the store is opened.
enum MethodSettingsArgument {
  /// `method` with the settings `--set` gives (or its defaults), validated.
  /// - Throws: `CLIError.usage` naming the option for a malformed pair, a method without
  ///   settings, or a setting the method does not have or refuses.
  static func apply(to method: ForgetMethod, _ arguments: ParsedArguments) throws
    -> ForgetMethod
  {
    var configured = method
    if let text = arguments.string("set") {
      guard method.method is any ModelUpdateMethod.Type else {
        throw arguments.invalid(
          "set", text, "settings of a model-update method; --method \(method) has none")
      }
      var settings: [String: JSONValue] = [:]
      for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
          throw arguments.invalid("set", text, "key=value pairs, comma-separated, e.g. epochs=3")
        }
        settings[parts[0]] = value(parts[1])
      }
      configured = ForgetMethod(method.method, settings: .object(settings))
    }
    do {
      _ = try configured.updateMethod()
    } catch let error as UnlearningError {
      throw CLIError.usage("--set: \(error.description)", command: arguments.spec)
    }
    return configured
  }

  /// A number, a Boolean or else the text itself.
  private static func value(_ text: String) -> JSONValue {
    if let number = Double(text), number.isFinite { return .number(number) }
    if text == "true" || text == "false" { return .bool(text == "true") }
    return .string(text)
  }
}
