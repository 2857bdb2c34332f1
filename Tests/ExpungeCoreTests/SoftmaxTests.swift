import ExpungeCore
import Foundation
import Testing

@Suite("Softmax")
struct SoftmaxTests {
  @Test func rowsSumToOneAndMatchTheDefinition() {
    let z = Matrix([[1, 2, 3], [0, 0, 0], [-1, 5, 2]])
    let p = Softmax.rows(z)
    for r in 0..<z.rows {
      let row = z.row(r).map(Double.init)
      let denominator = row.map { exp($0) }.reduce(0, +)
      for c in 0..<z.cols {
        #expect(abs(Double(p[r, c]) - exp(row[c]) / denominator) < 1e-6)
      }
      #expect(abs(p.row(r).reduce(0, +) - 1) < 1e-6)
    }
  }

  /// Logits of ±1000 overflow a naive exp in Float (max ≈ 88); the stable form must not.
  @Test func extremeLogitsStayFinite() {
    let z = Matrix([[1000, 0, -1000], [-1000, -1000, -1000], [88, 89, 90]])
    let p = Softmax.rows(z)
    let logP = Softmax.logRows(z)
    #expect(p.allFinite && logP.allFinite)
    #expect(p[0, 0] == 1 && p[0, 1] == 0)
    #expect(abs(p[1, 0] - 1.0 / 3) < 1e-6)
    #expect(logP[0, 0] == 0)
    #expect(logP[0, 2] == -2000)
    #expect(abs(logP[1, 1] + Float(log(3.0))) < 1e-6)
  }

  @Test func logSoftmaxIsTheLogOfSoftmax() {
    var rng = SeededGenerator(seed: 21)
    // Enough rows that the parallel path runs.
    let z = Matrix(rows: 5000, cols: 10, storage: rng.normals(50_000, std: 3))
    let p = Softmax.rows(z)
    let logP = Softmax.logRows(z)
    #expect(p.map { logf($0) }.maxAbsDifference(logP) < 1e-4)
    #expect(Softmax.rows(z) == p, "softmax must be deterministic across threads")
  }
}
