import ExpungeAudit
import ExpungeCore
import Foundation
import Synchronization
import Testing

@Suite("An audited model remembering its answers")
struct RememberedOutputsTests {
  @Test func repeatedInputsAreAnsweredOnceWithTheSameValues() {
    let calls = Mutex(0)
    let model = AuditedModel(name: "m", classCount: 2, parameters: nil) { x in
      calls.withLock { $0 += 1 }
      var p = Matrix(rows: x.rows, cols: 2)
      for i in 0..<x.rows {
        let s = 1 / (1 + exp(-x[i, 0]))
        p[i, 0] = s
        p[i, 1] = 1 - s
      }
      return (p, p)
    }
    let remembered = model.remembering()
    let a = Matrix([[0.5], [-1], [2]])
    let b = Matrix([[0.5], [-1], [3]])
    let first = remembered.posteriors(a)
    #expect(remembered.posteriors(a) == first)
    #expect(remembered.posteriors(Matrix([[0.5], [-1], [2]])) == first)  // equal by value
    #expect(calls.withLock { $0 } == 1)
    #expect(remembered.posteriors(b) == model.posteriors(b))
    #expect(remembered.posteriors(b)[2, 0] != first[2, 0])
    #expect(calls.withLock { $0 } == 3)  // b once through the memory, once directly
  }

  @Test func aSubsetIsAnsweredWithRowsOfItsWhole() {
    let calls = Mutex(0)
    let model = AuditedModel(name: "m", classCount: 2, parameters: nil) { x in
      calls.withLock { $0 += 1 }
      var p = Matrix(rows: x.rows, cols: 2)
      for i in 0..<x.rows {
        p[i, 0] = x[i, 0] * x[i, 0]
        p[i, 1] = 1 - p[i, 0]
      }
      return (p, p)
    }
    let whole = Matrix([[0.1], [0.2], [0.3], [0.4], [0.5]])
    let rows = [1, 3, 4]
    let part = whole.gatherRows(rows)
    let remembered = model.remembering(subsets: [RowSubset(whole: whole, rows: rows, part: part)])
    #expect(remembered.posteriors(part) == model.posteriors(part))
    #expect(calls.withLock { $0 } == 2)  // the whole once through the memory, the part directly
    #expect(remembered.posteriors(whole) == model.posteriors(whole))
    #expect(calls.withLock { $0 } == 3)  // the whole was remembered
    let other = Matrix([[0.2], [0.4], [0.6]])
    #expect(remembered.posteriors(other) == model.posteriors(other))
    #expect(calls.withLock { $0 } == 5)  // not a registered part: asked
  }
}
