import ExpungeAudit
import ExpungeCore
import ExpungeData
import Foundation

/// `expunge audit`: what is left of the forgotten rows in a store's model or a model directory.
enum AuditCommand: Command {
  static let attackGroup = "ATTACK OPTIONS"

  static let spec = CommandSpec(
    name: "audit",
    abstract: "Measure what a model still knows about the rows it forgot.",
    discussion:
      "Compares three models: the original (retrained on every training row), the model under audit (a store's current version, or --model with the ids it forgot in --forget), and the oracle (retrained on the rows kept, same recipe and seed; a store caches it per version). For each: UA = 1 − accuracy on the forgotten rows, RA on the kept rows, TA on the test rows, per-class accuracy, mean loss, MIA-efficacy as SalUn defines it, and membership-inference attacks by name — AUC, balanced accuracy, TPR at 1 % and 0.1 % FPR, the forgotten rows against as many test rows: loss-, confidence- and entropy-threshold; shadow (Shokri et al., K shadow models on halves of held-out test rows); lira-online and lira-offline (Carlini et al., K reference models); and for a store epsilon-score (the NeurIPS 2023 challenge's per-row ε from K unlearned vs K retrained runs). Accuracies follow a store's aggregation; losses and attacks use the shards' mean probabilities. A store purges forgotten rows, so the training data (--data, or by default the file 'train --store' recorded) must be the original, to find them by id. Reference-model attacks train about 4K models: --attacks picks fewer.",
    options: [
      OptionSpec(name: "store", valueName: "dir", help: "Store made by 'expunge train --store'."),
      OptionSpec(name: "model", valueName: "dir", help: "A model directory to audit instead."),
      OptionSpec(
        name: "forget", valueName: "file",
        help: "With --model: ids of the rows it should have forgotten, one per line."),
      OptionSpec(
        name: "request", valueName: "n",
        help: "With --store: judge only request n's rows (default: every forgotten row)."),
    ]
      + DataArguments.options(
        dataHelp:
          "The original training data (to recover forgotten rows). With --store it defaults to the data 'train --store' read, read the same way (refused if the file changed); --test is then read with the same options.",
        required: false)
      + [
        OptionSpec(
          name: "test", valueName: "spec", help: "Held-out rows (test accuracy, non-members).",
          isRequired: true),
        .flag("no-original", "Skip retraining the original model."),
        OptionSpec(
          name: "oracle", valueName: "how", help: "The model to compare against.",
          defaultValue: "retrain", values: ["retrain", "none"]),
        OptionSpec(
          name: "attacks", valueName: "list",
          help: "Comma-separated attacks to run, or 'all'. (values: \(AuditAttack.names))",
          defaultValue: "all", group: attackGroup),
        OptionSpec(
          name: "reference-models", valueName: "K",
          help: "Reference models per role for shadow, LiRA and epsilon-score (≥ 2).",
          defaultValue: "8", group: attackGroup),
        OptionSpec(
          name: "seed", valueName: "s", help: "Seed of the audit's sampling and reference models.",
          defaultValue: "0"),
        OptionSpec(
          name: "report", valueName: "file.html",
          help:
            "Also write a self-contained HTML report (summary, ROC curves, loss histograms, gaps)."),
      ],
    examples: [
      "expunge audit --store runs/fm --data fashion-mnist --test fashion-mnist:test",
      "expunge audit --store runs/fm --data fashion-mnist --test fashion-mnist:test --report audit.html",
      "expunge audit --store runs/fm --data fashion-mnist --test fashion-mnist:test --attacks loss-threshold,lira-offline --json",
      "expunge audit --model runs/mlp --forget withdrawn.txt --data fashion-mnist --test fashion-mnist:test",
    ],
    alternatives: "(--store <dir> | --model <dir> --forget <file>)",
    jsonHelp: "Print every number and the configuration as one JSON document on stdout.")

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let started = Date()
    let seed = try arguments.uint64("seed") ?? 0
    let options = AuditOptions(
      attacks: try AuditAttack.parse(arguments.string("attacks") ?? "all", arguments),
      referenceModels: try arguments.int("reference-models") ?? 8, seed: seed,
      oracle: (arguments.string("oracle") ?? "retrain") == "retrain",
      original: !arguments.flag("no-original"))
    guard options.referenceModels >= 2 else {
      throw arguments.invalid(
        "reference-models", String(options.referenceModels),
        "an integer ≥ 2 (each row needs models with and without it)")
    }
    let (subject, dataArguments) = try openSubject(arguments)
    var test = try DataArguments.load(
      dataArguments, spec: arguments.required("test"), limited: false)
    if !dataArguments.has("classes"), let selection = subject.classSelection {
      test = try test.selectingClasses(selection)
    }

    var bar: ProgressBar?
    var result = try Audit.run(subject, test: test, options: options) { completed, total in
      if bar == nil { bar = ProgressBar(title: "reference models", console: console) }
      guard completed > 0 else { return }
      bar?.update(completed: completed, total: total, unit: "model")
    }
    bar?.finish()
    // The command's time includes reading the subject and the data.
    result.report.seconds = Date().timeIntervalSince(started)
    let report = result.report
    if let path = arguments.string("report") {
      try AtomicFile.write(
        Data(result.htmlReport().render().utf8), to: URL(fileURLWithPath: path))
    }
    if arguments.flag("json") {
      console.print(try JSONOutput.encode(report))
    } else {
      printSummary(report, console: console)
      if let path = arguments.string("report") { console.print("Report written to \(path)") }
    }
  }
}

extension AuditAttack {
  /// The attacks `--attacks` names: "all", or a comma-separated list.
  static func parse(_ text: String, _ arguments: ParsedArguments) throws -> [AuditAttack] {
    if text == "all" { return allCases }
    var out: [AuditAttack] = []
    for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      guard let attack = AuditAttack(rawValue: name) else {
        throw arguments.invalid("attacks", text, "'all' or a comma-separated list of: \(names)")
      }
      if !out.contains(attack) { out.append(attack) }
    }
    guard !out.isEmpty else {
      throw arguments.invalid("attacks", text, "'all' or a comma-separated list of: \(names)")
    }
    return allCases.filter(out.contains)
  }
}
