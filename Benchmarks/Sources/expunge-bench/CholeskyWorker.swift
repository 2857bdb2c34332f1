import ExpungeCore
import Foundation

/// `worker downdate --n 784 --reps 200 [--vectors 1]`: one rank-1 (or rank-m) Cholesky downdate
/// and update of a random n × n factor, as certified removal does at d = 784. Each repetition
/// starts from a fresh, uniquely owned copy of the factor, made outside the timed region (a
/// shared copy would be copied on write inside it); reports median and minimum µs, and a
/// checksum of the results' bits so kernels can be compared for bit-identity.
enum CholeskyWorker {
  static func run(_ options: Options) throws -> [String: Any] {
    let n = options.int("n", 784)
    let reps = options.int("reps", 200)
    let m = options.int("vectors", 1)
    var rng = SeededGenerator(seed: UInt64(options.int("seed", 0)))
    // A random factor: positive diagonal, small off-diagonal entries (a well-conditioned A).
    var l0 = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<i { l0[i * n + j] = rng.nextNormal() / Double(n).squareRoot() }
      l0[i * n + i] = 1 + abs(rng.nextNormal())
    }
    // x = L·u/(2√m) with ‖u‖ = 1: each ‖L⁻¹x‖² = 1/(4m), so the batch stays definite.
    var vectors = [Double](repeating: 0, count: m * n)
    for k in 0..<m {
      var u = (0..<n).map { _ in rng.nextNormal() }
      let length = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
      u = u.map { $0 / (length * 2 * Double(m).squareRoot()) }
      for i in 0..<n {
        var sum = 0.0
        for j in 0...i { sum += l0[i * n + j] * u[j] }
        vectors[k * n + i] = sum
      }
    }
    var downdates: [Double] = []
    var updates: [Double] = []
    var downdated: [Double] = []
    var updated: [Double] = []
    func fresh() -> [Double] { l0.withUnsafeBufferPointer { Array($0) } }
    for _ in 0..<reps {
      var work = fresh()
      var start = DispatchTime.now().uptimeNanoseconds
      try LAPACK.choleskyDowndate(&work, n: n, vectors: vectors)
      downdates.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
      if downdated.isEmpty { downdated = work }
      work = fresh()
      start = DispatchTime.now().uptimeNanoseconds
      try LAPACK.choleskyUpdate(&work, n: n, vectors: vectors)
      updates.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
      if updated.isEmpty { updated = work }
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    func checksum(_ values: [Double]) -> String {
      // FNV-1a over the bit patterns.
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325
      for v in values { hash = (hash ^ v.bitPattern) &* 0x100_0000_01b3 }
      return String(hash, radix: 16)
    }
    return [
      "work": "cholesky-downdate", "n": n, "reps": reps, "vectors": m,
      "downdate_us_median": median(downdates), "downdate_us_min": downdates.min() ?? 0,
      "update_us_median": median(updates), "update_us_min": updates.min() ?? 0,
      "downdate_checksum": checksum(downdated), "update_checksum": checksum(updated),
    ]
  }
}
