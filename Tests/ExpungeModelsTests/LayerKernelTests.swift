import ExpungeCore
import ExpungeModels
import Foundation
import Testing

/// The building blocks, each against a double-precision reference written in the test.
///
/// Finite differences here are of functions evaluated in `Double` with step h = 1e-6; the
/// functions are linear (the layer) or smooth with O(1) third derivatives (tanh, the loss),
/// so the reference is good to ≈ 1e-10 and the tolerances reflect the kernels' `Float`.
@Suite("Layer kernels")
struct LayerKernelTests {
  static let (rows, fanIn, fanOut) = (5, 7, 4)

  static func random(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return rng.uniforms(count, low: -1, high: 1)
  }

  /// `x·Wᵀ + b` in Double.
  static func affine(_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
    var y = [Double](repeating: 0, count: rows * fanOut)
    for r in 0..<rows {
      for o in 0..<fanOut {
        var s = b[o]
        for i in 0..<fanIn { s += x[r * fanIn + i] * w[o * fanIn + i] }
        y[r * fanOut + o] = s
      }
    }
    return y
  }

  @Test("linear forward fused with bias and activation", arguments: [nil, Activation.relu, .tanh])
  func linearForward(activation: Activation?) {
    let x = Self.random(Self.rows * Self.fanIn, seed: 1)
    let w = Self.random(Self.fanOut * Self.fanIn, seed: 2)
    let b = Self.random(Self.fanOut, seed: 3)
    var y = [Float](repeating: .nan, count: Self.rows * Self.fanOut)
    y.withUnsafeMutableBufferPointer { yp in
      LinearLayer.forward(
        y: yp.baseAddress!, x: x, weight: w, bias: b, rows: Self.rows, inFeatures: Self.fanIn,
        outFeatures: Self.fanOut, activation: activation)
    }
    let z = Self.affine(x.map(Double.init), w.map(Double.init), b.map(Double.init))
    for i in 0..<z.count {
      let expected: Double
      switch activation {
      case nil: expected = z[i]
      case .relu?: expected = max(z[i], 0)
      case .tanh?: expected = Foundation.tanh(z[i])
      }
      #expect(abs(Double(y[i]) - expected) <= 1e-6, "element \(i)")
    }
  }

  @Test("linear backward: dW, db, dx against finite differences; nil dx skips the input gradient")
  func linearBackward() {
    // Objective J = Σ R ⊙ (x·Wᵀ + b) for a fixed random R, so ∂J/∂y = R.
    let x = Self.random(Self.rows * Self.fanIn, seed: 4).map(Double.init)
    let w = Self.random(Self.fanOut * Self.fanIn, seed: 5).map(Double.init)
    let b = Self.random(Self.fanOut, seed: 6).map(Double.init)
    let upstream = Self.random(Self.rows * Self.fanOut, seed: 7)
    func objective(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
      zip(Self.affine(x, w, b), upstream).map { $0 * Double($1) }.reduce(0, +)
    }
    func numerical(_ v: [Double], _ f: ([Double]) -> Double) -> [Double] {
      let h = 1e-6
      return (0..<v.count).map { i in
        var (p, m) = (v, v)
        p[i] += h
        m[i] -= h
        return (f(p) - f(m)) / (2 * h)
      }
    }
    let dwRef = numerical(w) { objective(x, $0, b) }
    let dbRef = numerical(b) { objective(x, w, $0) }
    let dxRef = numerical(x) { objective($0, w, b) }

    var dw = [Float](repeating: .nan, count: w.count)
    var db = [Float](repeating: .nan, count: b.count)
    var dx = [Float](repeating: .nan, count: x.count)
    let (xf, wf) = (x.map(Float.init), w.map(Float.init))
    dw.withUnsafeMutableBufferPointer { dwp in
      db.withUnsafeMutableBufferPointer { dbp in
        dx.withUnsafeMutableBufferPointer { dxp in
          LinearLayer.backward(
            dx: dxp.baseAddress!, dweight: dwp.baseAddress!, dbias: dbp.baseAddress!,
            dy: upstream, x: xf, weight: wf, rows: Self.rows, inFeatures: Self.fanIn,
            outFeatures: Self.fanOut)
        }
      }
    }
    for (a, e) in zip(dw, dwRef) { #expect(abs(Double(a) - e) <= 1e-5) }
    for (a, e) in zip(db, dbRef) { #expect(abs(Double(a) - e) <= 1e-5) }
    for (a, e) in zip(dx, dxRef) { #expect(abs(Double(a) - e) <= 1e-5) }

    // Accumulate adds; a nil dx leaves the caller's buffer alone.
    let before = dw
    let untouched = [Float](repeating: 42, count: x.count)
    dw.withUnsafeMutableBufferPointer { dwp in
      db.withUnsafeMutableBufferPointer { dbp in
        LinearLayer.backward(
          dx: nil, dweight: dwp.baseAddress!, dbias: dbp.baseAddress!, dy: upstream, x: xf,
          weight: wf, rows: Self.rows, inFeatures: Self.fanIn, outFeatures: Self.fanOut,
          accumulate: true)
      }
    }
    for (a, e) in zip(dw, before) { #expect(abs(a - 2 * e) <= 1e-5) }
    #expect(untouched.allSatisfy { $0 == 42 })
  }

  @Test("activation backward: ReLU mask and tanh derivative against finite differences")
  func activationBackward() {
    let z = Self.random(64, seed: 8).map { $0 * 3 }
    let upstream = Self.random(64, seed: 9)
    for activation in Activation.allCases {
      var a = z
      let zero = [Float](repeating: 0, count: 64)
      a.withUnsafeMutableBufferPointer {
        ActivationKernels.biasActivationForward(
          $0.baseAddress!, bias: zero, rows: 8, cols: 8, activation: activation)
      }
      var d = upstream
      d.withUnsafeMutableBufferPointer {
        ActivationKernels.backward($0.baseAddress!, output: a, count: 64, activation: activation)
      }
      for i in 0..<64 {
        let f: (Double) -> Double = activation == .relu ? { max($0, 0) } : { Foundation.tanh($0) }
        let zi = Double(z[i])
        if activation == .relu { #expect(abs(zi) > 1e-3) }  // away from the kink
        let h = 1e-6
        let slope = (f(zi + h) - f(zi - h)) / (2 * h)
        #expect(abs(Double(d[i]) - Double(upstream[i]) * slope) <= 1e-6, "\(activation) \(i)")
        if activation == .tanh {
          let second = (f(zi + h) - 2 * f(zi) + f(zi - h)) / (h * h)
          let kernel = ActivationKernels.secondDerivative(output: a[i], activation: .tanh)
          #expect(abs(Double(kernel) - second) <= 1e-3)
        }
      }
    }
  }

  @Test("fused softmax cross-entropy: loss and dlogits against a Double reference")
  func crossEntropy() {
    let (rows, classes) = (6, 5)
    var logits = Self.random(rows * classes, seed: 10).map { $0 * 8 }
    logits[3] = 80  // large logits must not overflow
    let labels: [Int32] = [0, 4, 2, 2, 1, 3]
    func loss(_ z: [Double], row r: Int) -> Double {
      let zr = Array(z[(r * classes)..<((r + 1) * classes)])
      let m = zr.max()!
      return m + Foundation.log(zr.map { Foundation.exp($0 - m) }.reduce(0, +)) - zr[Int(labels[r])]
    }
    let z = logits.map(Double.init)
    let expectedTotal = (0..<rows).map { loss(z, row: $0) }.reduce(0, +)
    var d = logits
    var perRow = [Float](repeating: 0, count: rows)
    let total = d.withUnsafeMutableBufferPointer { dp in
      perRow.withUnsafeMutableBufferPointer { lp in
        CrossEntropy.forwardBackward(
          dp.baseAddress!, labels: labels, rows: rows, classes: classes, scale: 0.5,
          losses: lp.baseAddress!)
      }
    }
    #expect(abs(total - expectedTotal) <= 1e-5 * expectedTotal)
    var forwardOnly = [Float](repeating: 0, count: rows)
    forwardOnly.withUnsafeMutableBufferPointer {
      CrossEntropy.forward(
        logits, labels: labels, rows: rows, classes: classes, losses: $0.baseAddress!)
    }
    for r in 0..<rows {
      #expect(abs(Double(perRow[r]) - loss(z, row: r)) <= 1e-5)
      #expect(perRow[r] == forwardOnly[r])
    }
    let h = 1e-6
    for i in 0..<(rows * classes) {
      var (p, m) = (z, z)
      p[i] += h
      m[i] -= h
      let r = i / classes
      let numerical = 0.5 * (loss(p, row: r) - loss(m, row: r)) / (2 * h)
      #expect(abs(Double(d[i]) - numerical) <= 1e-6, "logit \(i)")
    }
  }
}
