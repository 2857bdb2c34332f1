import ExpungeModels

/// `train`'s model options, from the registry: every option a family declares
/// (`ModelFamily.commandLineOptions`), once per name — with each family's default where
/// they differ — under the heading of the first family that declares it.
enum FamilyOptions {
  static var specs: [OptionSpec] {
    var names: [String] = []
    var first: [String: (option: HyperparameterOption, group: String)] = [:]
    var defaults: [String: [(kind: ModelKind, value: String)]] = [:]
    for family in ModelRegistry.families {
      for option in family.commandLineOptions {
        if first[option.name] == nil {
          names.append(option.name)
          first[option.name] = (option, family.commandLineGroup)
        }
        defaults[option.name, default: []].append((family.kind, option.defaultValue))
      }
    }
    return names.map { name in
      let (option, group) = first[name]!
      let values = defaults[name]!
      let shown =
        Set(values.map(\.value)).count == 1
        ? values[0].value
        : values.map { "\($0.value) (\($0.kind))" }.joined(separator: ", ")
      return OptionSpec(
        name: name, valueName: option.valueName, help: option.help, defaultValue: shown,
        values: option.values, group: group)
    }
  }

  /// The names of every family's options.
  static var names: [String] {
    var seen: Set<String> = []
    return ModelRegistry.families.flatMap { $0.commandLineOptions.map(\.name) }.filter {
      seen.insert($0).inserted
    }
  }
}
