import Foundation

/// Seconds per stage of an audit (each model's training, each attack), summed over the
/// stage's calls.
struct StageTimer {
  private(set) var seconds: [String: Double] = [:]

  mutating func time<T>(_ stage: String, _ work: () throws -> T) rethrows -> T {
    let clock = Date()
    defer { seconds[stage, default: 0] += Date().timeIntervalSince(clock) }
    return try work()
  }
}
