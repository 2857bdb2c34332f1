import ExpungeCore
import ExpungeModels
import Testing

/// Every layer's backward pass against central differences of its forward pass, for the
/// parameters and the inputs; the convolution against a direct convolution.
@Suite("Layers")
struct LayerGradientTests {
  static let tolerance = 2e-2

  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let make: @Sendable () -> any Layer
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "dense") { DenseLayer(input: .flat(5), outFeatures: 4) },
    Case(name: "dense + tanh") { DenseLayer(input: .flat(5), outFeatures: 4, activation: .tanh) },
    Case(name: "dense + relu") { DenseLayer(input: .flat(5), outFeatures: 4, activation: .relu) },
    Case(name: "conv") {
      Convolution2DLayer(
        input: TensorShape(height: 5, width: 6, channels: 2), filters: 3, kernelSize: 3)
    },
    Case(name: "conv + tanh") {
      Convolution2DLayer(
        input: TensorShape(height: 4, width: 4, channels: 3), filters: 2, kernelSize: 2,
        activation: .tanh)
    },
    Case(name: "max-pool 2") {
      MaxPoolingLayer(input: TensorShape(height: 5, width: 4, channels: 3), size: 2)
    },
    Case(name: "max-pool 3") {
      MaxPoolingLayer(input: TensorShape(height: 6, width: 7, channels: 1), size: 3)
    },
    Case(name: "relu") { ActivationLayer(input: .flat(12), activation: .relu) },
    Case(name: "tanh") { ActivationLayer(input: .flat(12), activation: .tanh) },
    Case(name: "flatten") { FlattenLayer(input: TensorShape(height: 2, width: 3, channels: 2)) },
  ]

  @Test(arguments: cases)
  func backwardMatchesFiniteDifferences(_ c: Case) {
    let check = LayerCheck(c.make(), rows: 3)
    let (inputs, parameters) = check.worstError()
    #expect(inputs < Self.tolerance, "\(c.name): worst input-gradient error \(inputs)")
    #expect(parameters < Self.tolerance, "\(c.name): worst parameter-gradient error \(parameters)")
  }

  /// y[i, oy, ox, f] = b[f] + Σ_{ky, kx, c} x[i, oy+ky, ox+kx, c] · W[f, ky, kx, c], looped.
  @Test func convolutionEqualsADirectConvolution() {
    let shape = TensorShape(height: 7, width: 5, channels: 3)
    let layer = Convolution2DLayer(input: shape, filters: 4, kernelSize: 3)
    let check = LayerCheck(layer, rows: 2, seed: 5)
    let y = check.forward(x: check.x, parameters: check.parameters)
    let (bias, weight) = (check.parameters[0], check.parameters[1])
    let (oh, ow, k, f, c) = (5, 3, 3, 4, 3)
    var worst: Float = 0
    for i in 0..<2 {
      for oy in 0..<oh {
        for ox in 0..<ow {
          for filter in 0..<f {
            var sum = Double(bias[filter])
            for ky in 0..<k {
              for kx in 0..<k {
                for ch in 0..<c {
                  let xv = check.x[i * shape.count + ((oy + ky) * shape.width + ox + kx) * c + ch]
                  let wv = weight[((filter * k + ky) * k + kx) * c + ch]
                  sum += Double(xv) * Double(wv)
                }
              }
            }
            let got = y[i * oh * ow * f + (oy * ow + ox) * f + filter]
            worst = max(worst, abs(got - Float(sum)))
          }
        }
      }
    }
    #expect(layer.outputShape == TensorShape(height: oh, width: ow, channels: f))
    #expect(worst < 1e-5, "max difference to the direct convolution: \(worst)")
  }

  /// Each pooled value is its window's maximum, and the gradient goes to that element only.
  @Test func poolingBackwardRoutesEachGradientToItsWindowsMaximum() {
    let layer = MaxPoolingLayer(input: TensorShape(height: 4, width: 5, channels: 2), size: 2)
    let check = LayerCheck(layer, rows: 1, seed: 3)
    let y = check.forward(x: check.x, parameters: [])
    let (dx, _) = check.analytic()
    for oy in 0..<2 {
      for ox in 0..<2 {
        for ch in 0..<2 {
          let positions = [(0, 0), (0, 1), (1, 0), (1, 1)].map { dy, dx in
            ((oy * 2 + dy) * 5 + ox * 2 + dx) * 2 + ch
          }
          let values = positions.map { check.x[$0] }
          let o = (oy * 2 + ox) * 2 + ch
          #expect(y[o] == values.max())
          let winner = positions[values.firstIndex(of: values.max()!)!]
          for p in positions { #expect(dx[p] == (p == winner ? check.r[o] : 0)) }
        }
      }
    }
    // The fifth column lies in no window: no gradient.
    for row in 0..<4 {
      for ch in 0..<2 { #expect(dx[(row * 5 + 4) * 2 + ch] == 0) }
    }
  }

  @Test func shapesAndLayerSyntaxParse() {
    #expect(TensorShape(parsing: "28x28x1") == TensorShape(height: 28, width: 28, channels: 1))
    #expect(TensorShape(parsing: "32x16") == TensorShape(height: 32, width: 16, channels: 1))
    #expect(TensorShape(parsing: "28x0x1") == nil && TensorShape(parsing: "28") == nil)
    #expect(TensorShape.squareImage(featureCount: 784) == TensorShape(parsing: "28x28x1"))
    #expect(TensorShape.squareImage(featureCount: 785) == nil)
    let parsed = CNNLayerSpec.parseList("conv32x3, pool2,conv64x3,pool2,dense128")
    #expect(parsed == CNNConfig().layers)
    #expect(CNNLayerSpec.parseList("conv32,pool2") == nil)
    #expect(CNNLayerSpec.parseList("dense0") == nil)
    #expect(
      CNNConfig().layers.map(\.description).joined(separator: ",")
        == "conv32x3,pool2,conv64x3,pool2,dense128")
  }
}
