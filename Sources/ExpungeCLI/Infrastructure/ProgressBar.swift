import Foundation

/// Shows how work is going, on stderr.
///
/// Work whose amount is known (epochs, stages, shards, reference models) gets a bar, the
/// count, the rate and an ETA. Open-ended work (an iterative solver, which stops when it
/// converges, at most at its iteration cap) gets its count and details and the time so far,
/// never an ETA: the distance to the cap says nothing about the time left.
///
/// On a terminal it redraws one line in place. Elsewhere (a pipe, a log file, CI) it prints a
/// plain line at most every `plainInterval` seconds and at the end, so logs stay readable.
/// Off when `enabled` is false or the console shows no progress (`--quiet`, `--json`).
final class ProgressBar: @unchecked Sendable {
  private let console: Console
  private let title: String
  private let start = Date()
  private let lock = NSLock()
  private var lastDraw = Date.distantPast
  private var lastPlain = Date.distantPast
  private var drewOnTerminal = false
  /// The latest plain-mode line not yet printed (printed by `finish`).
  private var pendingPlainLine: String?
  private let enabled: Bool
  private let plainInterval: TimeInterval

  init(title: String, console: Console, enabled: Bool = true, plainInterval: TimeInterval = 5) {
    self.title = title
    self.console = console
    self.enabled = enabled && console.showsProgress
    self.plainInterval = plainInterval
  }

  /// Reports `completed` of `total` units of known work, with optional details appended
  /// (e.g. "loss 0.31").
  func update(completed: Int, total: Int, unit: String, detail: String = "") {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let elapsed = Date().timeIntervalSince(start)
    let fraction = total > 0 ? min(1, Double(completed) / Double(total)) : 0
    let done = completed >= total
    let rate = elapsed > 0 ? Double(completed) / elapsed : 0
    let eta = rate > 0 ? Double(total - completed) / rate : .nan
    let counts = "\(completed)/\(total) \(total == 1 ? unit : Self.plural(unit))"
    let timing = done ? "in \(Self.duration(elapsed))" : "ETA \(Self.duration(eta))"
    let tail = [counts, detail, String(format: "%.2f/s", rate), timing]
      .filter { !$0.isEmpty }.joined(separator: "  ")
    let barWidth = 24
    let filled = Int(fraction * Double(barWidth))
    let bar =
      String(repeating: "=", count: filled)
      + (filled < barWidth ? ">" + String(repeating: " ", count: barWidth - filled - 1) : "")
    let stopped = [counts, detail, "stopped after \(Self.duration(elapsed))"]
      .filter { !$0.isEmpty }.joined(separator: "  ")
    draw(terminal: "[\(bar)] \(tail)", plain: tail, pending: stopped, done: done)
  }

  /// Reports step `step` of open-ended work (e.g. "iteration 12"), with its details (e.g.
  /// the objective and the gradient norm) and the time so far; no bar, no ETA.
  func update(step: Int, unit: String, detail: String = "") {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let elapsed = Self.duration(Date().timeIntervalSince(start))
    let head = ["\(unit) \(step)", detail].filter { !$0.isEmpty }.joined(separator: "  ")
    draw(
      terminal: "\(head)  \(elapsed)", plain: "\(head)  \(elapsed)",
      pending: "\(head)  in \(elapsed)", done: false)
  }

  /// Draws one state: on a terminal in place (at most every 0.1 s), elsewhere as a plain line
  /// at most every `plainInterval` seconds, keeping `pending` for `finish` in between.
  private func draw(terminal: String, plain: String, pending: String, done: Bool) {
    let now = Date()
    if console.errIsTerminal {
      guard done || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
      lastDraw = now
      console.writeErr("\r\u{1B}[2K\(title) \(terminal)")
      drewOnTerminal = true
      if done {
        console.writeErr("\n")
        drewOnTerminal = false
      }
    } else if done || now.timeIntervalSince(lastPlain) >= plainInterval {
      lastPlain = now
      pendingPlainLine = nil
      console.printError("\(title): \(plain)")
    } else {
      pendingPlainLine = "\(title): \(pending)"
    }
  }

  /// Ends the work's display: on a terminal, ends the bar's line; elsewhere prints the last
  /// state if it was not printed (iterative solvers stop before their iteration cap).
  func finish() {
    lock.lock()
    defer { lock.unlock() }
    guard enabled else { return }
    if console.errIsTerminal && drewOnTerminal {
      console.writeErr("\n")
    } else if let line = pendingPlainLine {
      console.printError(line)
    }
    pendingPlainLine = nil
    drewOnTerminal = false
  }

  /// `batches`, `epochs`, `stages`.
  static func plural(_ unit: String) -> String {
    let sibilant = unit.hasSuffix("s") || (unit.hasSuffix("ch") && !unit.hasSuffix("epoch"))
    return unit + (sibilant ? "es" : "s")
  }

  /// `1 row`, `3 rows`: a count and its unit, plural unless the count is one.
  static func count(_ n: Int, _ unit: String) -> String {
    "\(n) \(n == 1 ? unit : plural(unit))"
  }

  /// `1.2s`, `3m05s`, `1h02m`.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "--" }
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let s = Int(seconds.rounded())
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
  }
}
