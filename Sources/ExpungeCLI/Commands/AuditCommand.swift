import ExpungeAudit
import ExpungeCore
import ExpungeData
import ExpungeModels
import ExpungeStore
import ExpungeUnlearning
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

  struct ModelReport: Encodable {
    var name: String
    var metrics: UnlearningMetrics
    var unlearningAccuracy: Double
    var attacks: [AttackResult]
    var miaEfficacy: Double
  }

  struct Configuration: Encodable {
    var attacks: [String]
    var referenceModels: Int
    var seed: UInt64
    var oracle: String
    var original: Bool
  }

  struct Report: Encodable {
    var subject: String
    var configuration: Configuration
    var forgottenRows: Int
    var retainedRows: Int
    var testRows: Int
    /// Seconds each completed ledger request took to unlearn (a store).
    var unlearningSeconds: [Double]
    var models: [ModelReport]
    var oracleComparison: OracleComparison?
    var verdict: AuditVerdict?
    var epsilonScore: EpsilonScore?
    /// Trigger success rates and the deletion test, for a backdoored store or model.
    var backdoor: BackdoorVerification?
    /// Seconds per stage of the audit: each model's training, each attack.
    var timings: [String: Double]
    var seconds: Double
    var notes: [String]
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws {
    let started = Date()
    let seed = try arguments.uint64("seed") ?? 0
    let attacks = try AuditAttack.parse(arguments.string("attacks") ?? "all", arguments)
    let referenceModels = try arguments.int("reference-models") ?? 8
    guard referenceModels >= 2 else {
      throw arguments.invalid(
        "reference-models", String(referenceModels),
        "an integer ≥ 2 (each row needs models with and without it)")
    }
    let useOracle = (arguments.string("oracle") ?? "retrain") == "retrain"
    var subject = try AuditSubject.open(arguments, command: spec)
    let dataArguments = subject.dataArguments
    var test = try DataArguments.load(
      dataArguments, spec: arguments.required("test"), limited: false)
    if !dataArguments.has("classes"), let selection = subject.classSelection {
      test = try test.selectingClasses(selection)
    }
    try test.requireWidth(subject.featureCount, expectedBy: "the audited model")
    test.classCount = subject.classCount
    let (forget, retain) = (subject.forget, subject.retain)
    if forget.isEmpty {
      subject.notes.append(
        "nothing has been forgotten yet: the forget-set metrics and attacks are empty")
    }

    var timings: [String: Double] = [:]
    func timed<T>(_ stage: String, _ work: () throws -> T) rethrows -> T {
      let clock = Date()
      defer { timings[stage, default: 0] += Date().timeIntervalSince(clock) }
      return try work()
    }
    var audited = [subject.unlearned]
    if !arguments.flag("no-original") && !forget.isEmpty {
      var original = try timed("original") { try subject.train(subject.training, nil) }
      original.name = "original"
      audited.insert(original, at: 0)
    }
    if useOracle {
      var oracle = try timed("oracle") { try subject.trainRetained(nil) }
      oracle.name = "oracle"
      audited.append(oracle)
    }

    // Non-members: half the test rows calibrate thresholds (against as many kept rows) and
    // train the shadow models; the other half are judged against the forgotten rows.
    var rng = SeededGenerator(seed: seed).derived("audit")
    let order = rng.permutation(test.count)
    let calibrationRows = Array(order.prefix(test.count / 2).sorted())
    let judgedRows = Array(order.dropFirst(test.count / 2).prefix(max(forget.count, 1)).sorted())
    let memberRows = rng.choice(retain.count, min(retain.count, calibrationRows.count)).sorted()
    let calibration = test.subset(calibrationRows)
    let judged = test.subset(judgedRows)
    let members = retain.subset(memberRows)

    // Metrics and attacks ask each model about the same row sets (or rows of them): each
    // model answers about each set once.
    let subsets = [
      RowSubset(whole: test.features, rows: calibrationRows, part: calibration.features),
      RowSubset(whole: test.features, rows: judgedRows, part: judged.features),
      RowSubset(whole: retain.features, rows: memberRows, part: members.features),
    ]
    audited = audited.map { $0.remembering(subsets: subsets) }
    var reports: [ModelReport] = []
    for model in audited {
      let metrics = UnlearningMetrics(model, forget: forget, retain: retain, test: test)
      var results: [AttackResult] = []
      if !forget.isEmpty {
        results = timed("threshold attacks") {
          ThresholdAttack.run(
            attacks.compactMap(\.signal), model, retain: (members.features, members.labels),
            calibration: (calibration.features, calibration.labels),
            forget: (forget.features, forget.labels), test: (judged.features, judged.labels))
        }
      }
      let efficacy =
        forget.isEmpty
        ? 0
        : try timed("mia-efficacy") {
          try MIAEfficacy.compute(
            model, retain: members, test: calibration, forget: forget, seed: seed)
        }
      reports.append(
        ModelReport(
          name: model.name, metrics: metrics, unlearningAccuracy: metrics.unlearningAccuracy,
          attacks: results, miaEfficacy: efficacy))
    }

    // The attacks with reference models: trained once, applied to every audited model.
    var epsilonScore: EpsilonScore?
    if !forget.isEmpty {
      let k = referenceModels
      let epsilonRuns =
        attacks.contains(.epsilonScore) && subject.trainAndUnlearn != nil ? k : 0
      let total =
        (attacks.contains(.shadow) ? k : 0)
        + (attacks.contains { $0.liraVariant != nil } ? k : 0) + 2 * epsilonRuns
      let bar = ProgressBar(title: "reference models", console: console)
      var done = 0
      let tick = {
        done += 1
        bar.update(completed: done, total: total, unit: "model")
      }
      if attacks.contains(.shadow) {
        let shadow = try timed(AuditAttack.shadow.rawValue) {
          try ShadowModelAttack.train(
            heldOut: calibration, models: k, seed: seed, train: subject.train, progress: tick)
        }
        for i in reports.indices {
          reports[i].attacks.append(
            timed(AuditAttack.shadow.rawValue) {
              shadow.run(audited[i], forget: forget, test: judged)
            })
        }
      }
      let variants = attacks.compactMap(\.liraVariant)
      if !variants.isEmpty {
        let stage = variants.map(\.name).joined(separator: "+")
        let references = try timed(stage) {
          try LiRAReferences.train(
            retain: retain, forget: forget, nonMembers: judged, models: k, seed: seed,
            train: subject.train, progress: tick)
        }
        for i in reports.indices {
          for variant in variants {
            reports[i].attacks.append(
              timed(stage) { references.run(variant, target: audited[i], seed: seed) })
          }
        }
      }
      if epsilonRuns > 0, let unlearn = subject.trainAndUnlearn {
        epsilonScore = try timed(AuditAttack.epsilonScore.rawValue) {
          try EpsilonScore.measure(
            forget: forget, models: k, seed: seed, unlearn: unlearn,
            retrain: { try subject.trainRetained($0) }, progress: tick)
        }
      }
      if total > 0 { bar.finish() }
    }

    var comparison: OracleComparison?
    if let oracle = audited.last, oracle.name == "oracle", !forget.isEmpty,
      let u = reports.first(where: { $0.name == "unlearned" }), let o = reports.last
    {
      comparison = OracleComparison(
        unlearned: subject.unlearned, oracle: oracle, unlearnedMetrics: u.metrics,
        oracleMetrics: o.metrics, unlearnedMIAEfficacy: u.miaEfficacy,
        oracleMIAEfficacy: o.miaEfficacy, forget: forget, test: test)
    }
    let report = Report(
      subject: subject.title,
      configuration: Configuration(
        attacks: attacks.map(\.rawValue), referenceModels: referenceModels, seed: seed,
        oracle: useOracle ? "retrain" : "none", original: !arguments.flag("no-original")),
      forgottenRows: forget.count, retainedRows: retain.count, testRows: test.count,
      unlearningSeconds: subject.unlearningSeconds, models: reports,
      oracleComparison: comparison,
      verdict: forget.isEmpty
        ? nil
        : AuditVerdict(
          unlearned: reports.first { $0.name == "unlearned" }!.attacks,
          oracle: comparison == nil ? nil : reports.last!.attacks,
          averageGap: comparison?.averageGap),
      epsilonScore: epsilonScore,
      backdoor: subject.backdoor.map {
        BackdoorVerification(backdoor: $0, models: audited, test: test)
      }, timings: timings,
      seconds: Date().timeIntervalSince(started), notes: subject.notes)
    if let path = arguments.string("report") {
      let page = htmlReport(report, subject: subject, audited: audited, test: test)
      try AtomicFile.write(Data(page.render().utf8), to: URL(fileURLWithPath: path))
    }
    if arguments.flag("json") {
      console.print(try JSONOutput.encode(report))
    } else {
      printSummary(report, console: console)
      if let path = arguments.string("report") { console.print("Report written to \(path)") }
    }
  }
}

/// The attacks `--attacks` can name.
enum AuditAttack: String, CaseIterable {
  case lossThreshold = "loss-threshold"
  case confidenceThreshold = "confidence-threshold"
  case entropyThreshold = "entropy-threshold"
  case shadow
  case liraOnline = "lira-online"
  case liraOffline = "lira-offline"
  case epsilonScore = "epsilon-score"

  static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

  var signal: MembershipSignal? {
    switch self {
    case .lossThreshold: .loss
    case .confidenceThreshold: .confidence
    case .entropyThreshold: .entropy
    default: nil
    }
  }

  var liraVariant: LiRAAttack.Variant? {
    switch self {
    case .liraOnline: .online
    case .liraOffline: .offline
    default: nil
    }
  }

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
