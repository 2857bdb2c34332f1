import ExpungeAudit
import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
import Foundation

/// `expunge audit`: what is left of the forgotten rows in a store's model.
enum AuditCommand: Command {
  static let spec = CommandSpec(
    name: "audit",
    abstract: "Measure what a store's model still knows about the rows it forgot.",
    discussion:
      "Compares three models: the original (retrained on every training row), the store's current model, and the oracle (retrained on the rows kept, same recipe and seed). For each: UA = 1 − accuracy on the forgotten rows, RA on the kept rows, TA on the test rows, and membership-inference attacks by name (loss-, confidence- and entropy-threshold: AUC, balanced accuracy, TPR at 1 % and 0.1 % FPR, forgotten rows against as many test rows; MIA-efficacy as SalUn defines it). Accuracies follow the store's aggregation; losses and attacks use the shards' mean probabilities, since votes carry almost no loss signal. The store purges forgotten rows, so --data must give the original training data to find them by id. --report writes the same as a self-contained HTML page with ROC curves and loss histograms. Shadow-model, LiRA and ε-score attacks and backdoor checks are not built yet.",
    options: [
      OptionSpec(
        name: "store", valueName: "dir", help: "Store made by 'expunge train --store'.",
        isRequired: true)
    ] + DataArguments.options(dataHelp: "The original training data (to recover forgotten rows).")
      + [
        OptionSpec(
          name: "test", valueName: "spec", help: "Held-out rows (test accuracy, non-members).",
          isRequired: true),
        .flag("no-original", "Skip retraining the original model."),
        .flag("no-oracle", "Skip retraining the oracle."),
        OptionSpec(
          name: "seed", valueName: "s", help: "Seed of the audit's sampling.", defaultValue: "0"),
        OptionSpec(
          name: "report", valueName: "file.html",
          help:
            "Also write a self-contained HTML report (summary, ROC curves, loss histograms, gaps)."),
        .flag("json", "Print every number as one JSON document on stdout."),
      ],
    examples: [
      "expunge audit --store runs/fm --data fashion-mnist --test fashion-mnist:test",
      "expunge audit --store runs/fm --data rows.csv --id-column id --test test.csv --json",
      "expunge audit --store runs/fm --data fashion-mnist --test fashion-mnist:test --report audit.html",
    ])

  struct ModelReport: Encodable {
    var name: String
    var metrics: UnlearningMetrics
    var unlearningAccuracy: Double
    var attacks: [AttackResult]
    var miaEfficacy: Double
  }

  struct Report: Encodable {
    var store: String
    var version: Int
    var forgottenRows: Int
    var retainedRows: Int
    var testRows: Int
    var models: [ModelReport]
    var oracleComparison: OracleComparison?
    var seconds: Double
    var notes: [String]
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let started = Date()
    let seed = try arguments.uint64("seed") ?? 0
    let store = try Store.open(URL(fileURLWithPath: arguments.required("store")))
    let selection = try store.classSelection()
    func load(_ spec: String, limited: Bool) throws -> Dataset {
      var data = try DataArguments.load(arguments, spec: spec, limited: limited)
      if !arguments.has("classes"), let selection { data = try data.selectingClasses(selection) }
      try data.requireWidth(store.featureCount, expectedBy: "the store \(store.directory.path)")
      data.classCount = store.classCount
      return data
    }
    let original = try load(arguments.required("data"), limited: true)
    let forgottenIDs = try store.sampleIDs(forgotten: true)
    let trainingIDs = try store.sampleIDs(forgotten: false)
    let forget = original.subset(
      original.ids.indices.filter { forgottenIDs.contains(original.ids[$0]) })
    let retain = try store.rows()
    let test = try load(arguments.required("test"), limited: false)
    var notes: [String] = []
    if forgottenIDs.isEmpty {
      notes.append("nothing has been forgotten yet: the forget-set metrics and attacks are empty")
    } else if forget.count < forgottenIDs.count {
      throw CLIError.data(
        "\(original.source): holds \(forget.count) of the \(forgottenIDs.count) forgotten rows; give the original training data (and its --id-column)"
      )
    }

    func ensemble(_ models: [any Classifier], name: String) -> AuditedModel {
      let aggregation = store.sisa.aggregation
      var layout: [(name: String, shape: [Int])] = []
      var values: [Float] = []
      for (k, model) in models.enumerated() {
        layout += model.parameters.views.map { ("shard-\(k).\($0.name)", $0.shape) }
        values += model.parameters.values
      }
      var parameters = ParameterBuffer(layout: layout)
      parameters.values = values
      return AuditedModel(name: name, classCount: store.classCount, parameters: parameters) { x in
        let shards = models.map { $0.predictProbabilities(x) }
        return (aggregation.combine(shards), SISAAggregation.meanProbability.combine(shards))
      }
    }
    var audited = [ensemble(try store.shardModels(), name: "unlearned")]
    if !arguments.flag("no-original") && !forget.isEmpty {
      let rows = original.subset(
        original.ids.indices.filter { trainingIDs.contains(original.ids[$0]) })
      let fitted = try SISAEnsemble.fit(rows, configuration: store.configuration, sisa: store.sisa)
      audited.insert(ensemble(fitted.shardModels, name: "original"), at: 0)
    }
    if !arguments.flag("no-oracle") {
      let fitted = try SISAEnsemble.fit(
        retain, configuration: store.configuration, sisa: store.sisa)
      audited.append(ensemble(fitted.shardModels, name: "oracle"))
    }

    // Non-members: half the test rows calibrate thresholds (against as many retained rows),
    // the other half are judged against the forgotten rows.
    var rng = SeededGenerator(seed: seed).derived("audit")
    let order = rng.permutation(test.count)
    let calibration = test.subset(order.prefix(test.count / 2).sorted())
    let judged = test.subset(order.dropFirst(test.count / 2).prefix(max(forget.count, 1)).sorted())
    let members = retain.subset(
      rng.choice(retain.count, min(retain.count, calibration.count)).sorted())
    var reports: [ModelReport] = []
    for model in audited {
      let metrics = UnlearningMetrics(model, forget: forget, retain: retain, test: test)
      let attacks =
        forget.isEmpty
        ? []
        : MembershipSignal.allCases.map {
          ThresholdAttack($0).run(
            model, retain: (members.features, members.labels),
            calibration: (calibration.features, calibration.labels),
            forget: (forget.features, forget.labels), test: (judged.features, judged.labels))
        }
      let efficacy =
        forget.isEmpty
        ? 0
        : try MIAEfficacy.compute(
          model, retain: members, test: calibration, forget: forget, seed: seed)
      reports.append(
        ModelReport(
          name: model.name, metrics: metrics, unlearningAccuracy: metrics.unlearningAccuracy,
          attacks: attacks, miaEfficacy: efficacy))
    }
    var comparison: OracleComparison?
    if let oracle = audited.last, oracle.name == "oracle", !forget.isEmpty {
      let unlearned = audited.first { $0.name == "unlearned" }!
      let u = reports.first { $0.name == "unlearned" }!
      let o = reports.last!
      comparison = OracleComparison(
        unlearned: unlearned, oracle: oracle, unlearnedMetrics: u.metrics, oracleMetrics: o.metrics,
        unlearnedMIAEfficacy: u.miaEfficacy, oracleMIAEfficacy: o.miaEfficacy, forget: forget,
        test: test)
    }
    if let path = arguments.string("report") {
      func losses(_ model: AuditedModel, _ data: Dataset) -> [Double] {
        MembershipSignal.loss.scores(model.posteriors(data.features), labels: data.labels).map {
          -$0
        }
      }
      let ledger = try store.requests().last.map {
        "Last request: #\($0.seq), \($0.ids.count) id(s), \($0.method), completed \($0.completed ?? $0.state), hash \($0.hash ?? "-")"
      }
      let page = HTMLReport(
        title: "Expunge audit of \(store.directory.lastPathComponent)",
        context: [
          "Store \(store.directory.path), model version \(try store.currentVersion()): \(forget.count) forgotten, \(retain.count) kept, \(test.count) test rows."
        ] + (ledger.map { [$0] } ?? []) + notes,
        models: zip(audited, reports).map { model, r in
          HTMLReport.Model(
            name: r.name, unlearningAccuracy: r.unlearningAccuracy,
            retainAccuracy: r.metrics.retain.accuracy, testAccuracy: r.metrics.test.accuracy,
            miaEfficacy: r.miaEfficacy, attacks: r.attacks,
            losses: [
              "forget": losses(model, forget), "retain": losses(model, retain),
              "test": losses(model, test),
            ].filter { !$0.value.isEmpty })
        }, gaps: comparison?.gaps, averageGap: comparison?.averageGap)
      try AtomicFile.write(Data(page.render().utf8), to: URL(fileURLWithPath: path))
    }
    let report = Report(
      store: store.directory.path, version: try store.currentVersion(),
      forgottenRows: forget.count, retainedRows: retain.count, testRows: test.count,
      models: reports, oracleComparison: comparison, seconds: Date().timeIntervalSince(started),
      notes: notes)
    if arguments.flag("json") {
      console.print(try JSONOutput.encode(report))
      return
    }
    console.print(
      "Audit of \(report.store) (version \(report.version)): \(report.forgottenRows) forgotten, \(report.retainedRows) kept, \(report.testRows) test rows"
    )
    for note in notes { console.print("  note: \(note)") }
    func pad(_ s: String, _ n: Int) -> String {
      s + String(repeating: " ", count: max(0, n - s.count))
    }
    console.print(
      "  " + pad("model", 11) + pad("UA", 8) + pad("RA", 8) + pad("TA", 8)
        + reports.first!.attacks.map { pad($0.name + " AUC", 26) }.joined() + "MIA-efficacy")
    for r in reports {
      console.print(
        "  " + pad(r.name, 11) + pad(String(format: "%.4f", r.unlearningAccuracy), 8)
          + pad(String(format: "%.4f", r.metrics.retain.accuracy), 8)
          + pad(String(format: "%.4f", r.metrics.test.accuracy), 8)
          + r.attacks.map { pad(String(format: "%.4f", $0.auc), 26) }.joined()
          + String(format: "%.4f", r.miaEfficacy))
    }
    if let c = comparison {
      console.print(
        String(
          format:
            "  unlearned vs oracle: Avg. Gap %.4f, JS divergence forget %.2e / test %.2e, parameter distance %@",
          c.averageGap, c.jsDivergenceForget, c.jsDivergenceTest,
          c.parameterDistance.map { String(format: "%.3g", $0) } ?? "-"))
    }
    console.print("  in \(ProgressBar.duration(report.seconds))")
    if let path = arguments.string("report") { console.print("Report written to \(path)") }
  }
}
