/// `--name value` pairs of a worker or driver command line.
struct Options {
  private var values: [String: String] = [:]

  init(_ arguments: [String]) {
    var i = 0
    while i < arguments.count {
      if arguments[i].hasPrefix("--") {
        let name = String(arguments[i].dropFirst(2))
        let next = i + 1 < arguments.count ? arguments[i + 1] : nil
        if let next, !next.hasPrefix("--") {
          values[name] = next
          i += 1
        } else {
          values[name] = "true"
        }
      }
      i += 1
    }
  }

  func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }
  func double(_ name: String, _ fallback: Double) -> Double {
    values[name].flatMap(Double.init) ?? fallback
  }
  func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }
  func flag(_ name: String) -> Bool { values[name] != nil }
}
