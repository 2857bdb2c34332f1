import ExpungeCore
import Testing

/// `InnerSplitProduct`: the product `Aᵀ·B` with its long inner dimension cut into chunks.
@Suite("Inner-split product", .serialized)
struct InnerSplitProductTests {
  @Test(arguments: [100, 5000, 20_001])
  func equalsTheProductAndIgnoresTheThreadCount(k: Int) {
    let (m, n) = (7, 5)
    var rng = SeededGenerator(seed: UInt64(k))
    let a = rng.uniforms(k * m, low: -1, high: 1)  // (k, m)
    let b = rng.uniforms(k * n, low: -1, high: 1)  // (k, n)
    func product(threads: Int, beta: Float) -> [Float] {
      let saved = Threads.count
      Threads.set(threads)
      defer { Threads.set(saved) }
      var c = [Float](repeating: 0.5, count: m * n)
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          c.withUnsafeMutableBufferPointer { pc in
            InnerSplitProduct.transposedTimes(
              m: m, n: n, k: k, a: pa.baseAddress!, lda: m, b: pb.baseAddress!, ldb: n,
              beta: beta, c: pc.baseAddress!, ldc: n)
          }
        }
      }
      return c
    }
    let one = product(threads: 1, beta: 1)
    #expect(one.map(\.bitPattern) == product(threads: 2, beta: 1).map(\.bitPattern))
    var worst = 0.0
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.5
        for r in 0..<k { sum += Double(a[r * m + i]) * Double(b[r * n + j]) }
        worst = max(worst, abs(Double(one[i * n + j]) - sum))
      }
    }
    #expect(worst < 1e-5 * Double(k).squareRoot() * 10, "max difference \(worst)")
    let overwritten = product(threads: 2, beta: 0)
    #expect(zip(overwritten, one).allSatisfy { abs($0 + 0.5 - $1) < 1e-4 })
  }
}
