/// The one syntax of every list of ids or indices the CLI reads, on the command line and in
/// id files: numbers and inclusive ranges, comma-separated — `3,17,100-120`.
///
/// Used by `forget --ids`, `--ids-file`, `--relabel` and `--zero-features` (their ids),
/// `--zero-columns`, `train --backdoor-ids` and `audit --forget`.
struct NumberList {
  /// What the numbers are, for messages: "id", "feature".
  var noun: String
  /// The largest value allowed.
  var maximum: UInt64 = .max
  /// The most numbers one list may expand to: a slip such as `0-99999999999` is refused
  /// instead of filling memory.
  var limit: UInt64 = 10_000_000

  /// Why a list does not parse, naming the item: "'120-100' is a reversed range; write
  /// 100-120".
  struct Problem: Error, CustomStringConvertible {
    var description: String
  }

  /// The numbers of `text`, ranges expanded, in the order written (repeats kept).
  func values(_ text: some StringProtocol) throws(Problem) -> [UInt64] {
    guard !text.allSatisfy({ $0 == " " || $0 == "\t" }) else {
      throw Problem(description: "no \(noun)s given")
    }
    var out: [UInt64] = []
    var count: UInt64 = 0
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard !item.trimmingSpaces.isEmpty else {
        throw Problem(description: "'\(text)' has an empty item")
      }
      let r = try range(item)
      count += r.upperBound - r.lowerBound + 1
      guard count <= limit else {
        throw Problem(description: "the list holds more than \(limit) \(noun)s")
      }
      out += r
    }
    return out
  }

  /// One item: a number, or `low-high` with low ≤ high.
  func range(_ item: some StringProtocol) throws(Problem) -> ClosedRange<UInt64> {
    let text = String(item).trimmingSpaces
    guard !text.isEmpty else {
      throw Problem(description: "an empty item where \(article) \(noun) belongs")
    }
    let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
    guard bounds.count <= 2 else { throw junk(text) }
    let low = try number(bounds[0], item: text)
    let high = try bounds.count == 2 ? number(bounds[1], item: text) : low
    guard low <= high else {
      throw Problem(description: "'\(text)' is a reversed range; write \(high)-\(low)")
    }
    guard high - low < limit else {
      throw Problem(description: "'\(text)' holds more than \(limit) \(noun)s")
    }
    return low...high
  }

  private func number(_ part: Substring, item: String) throws(Problem) -> UInt64 {
    let digits = part.trimmingSpaces
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw junk(item)
    }
    guard let value = UInt64(digits), value <= maximum else {
      throw Problem(description: "'\(item)' is larger than the largest \(noun), \(maximum)")
    }
    return value
  }

  /// "an id", "a feature".
  private var article: String { "aeiou".contains(noun.first ?? "x") ? "an" : "a" }

  private func junk(_ item: String) -> Problem {
    Problem(
      description:
        "'\(item)' is not \(article) \(noun) or a range of \(noun)s; write e.g. 3,17,100-120")
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces and tabs.
  fileprivate var trimmingSpaces: String {
    let isSpace = { (c: Character) in c == " " || c == "\t" || c == "\r" }
    guard let first = firstIndex(where: { !isSpace($0) }),
      let last = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[first...last])
  }
}
