import ExpungeCore

/// A 2-D convolution, stride 1, no padding ("valid"), as unfolded patches times a matrix
/// (im2col + one sgemm for the whole batch), with an optional activation fused into the
/// product's tiles (backward first turns `dy` into `dy · f′` in place, from the output).
///
/// Shapes (channels-last): input `(rows, H, W, C)`, output `(rows, H−k+1, W−k+1, F)`;
/// tensors `weight (F, k, k, C)` — a filter's taps in the order of a patch — and `bias (F)`.
///
/// Forward: `cols (rows·OH·OW, k·k·C)` holds every output pixel's input patch, so
///
///     y = cols · Wᵀ + b          (rows·OH·OW, F) — already channels-last
///
/// Backward, with `dy (rows·OH·OW, F)`:
///
///     dW = dyᵀ · cols            (F, k·k·C)
///     db = Σ_pixels dy           (F)
///     dcols = dy · W             (rows·OH·OW, k·k·C), folded back (col2im): each patch
///                                element is added to the input pixel it was copied from
///
/// The products go through `BLAS.gemm` (tiles fixed by the shape), `dW` through
/// `InnerSplitProduct` (chunks of the long inner dimension, summed in order); unfolding and folding run
/// one example per task — examples are independent, so the bits do not depend on threads.
public struct Convolution2DLayer: Layer {
  public let inputShape: TensorShape
  public let outputShape: TensorShape
  /// The side of the square kernel, k.
  public let kernelSize: Int
  /// The fused activation, if any.
  public let activation: Activation?

  /// - Parameters:
  ///   - input: `H × W × C`, with `H, W ≥ kernelSize`.
  ///   - filters: output channels F ≥ 1.
  ///   - kernelSize: k ≥ 1.
  ///   - activation: `f` after the bias, or nil (default).
  public init(input: TensorShape, filters: Int, kernelSize: Int, activation: Activation? = nil) {
    self.activation = activation
    precondition(
      filters >= 1 && kernelSize >= 1 && input.height >= kernelSize && input.width >= kernelSize,
      "Convolution2DLayer: \(filters) filters of \(kernelSize)×\(kernelSize) on \(input)")
    inputShape = input
    self.kernelSize = kernelSize
    outputShape = TensorShape(
      height: input.height - kernelSize + 1, width: input.width - kernelSize + 1,
      channels: filters)
  }

  var filters: Int { outputShape.channels }
  /// k·k·C, the length of one patch.
  var patchLength: Int { kernelSize * kernelSize * inputShape.channels }
  /// OH·OW.
  var outputPixels: Int { outputShape.height * outputShape.width }

  public var parameterShapes: [(suffix: String, shape: [Int])] {
    [("bias", [filters]), ("weight", [filters, kernelSize, kernelSize, inputShape.channels])]
  }

  /// `cols` then `dcols`, each `(rows·OH·OW, k·k·C)`.
  public func scratchCount(rows: Int) -> Int { 2 * rows * outputPixels * patchLength }

  public func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int,
    parameters: [UnsafePointer<Float>], scratch: UnsafeMutablePointer<Float>
  ) {
    let cols = scratch
    unfold(x, into: cols, rows: rows)
    let (bias, f, activation) = (parameters[0], filters, activation)
    BLAS.gemm(
      .none, .transpose, m: rows * outputPixels, n: f, k: patchLength, alpha: 1, a: cols,
      lda: patchLength, b: parameters[1], ldb: patchLength, beta: 0, c: y, ldc: f
    ) { tileRows, tileColumns in
      ActivationKernels.biasActivationForward(
        y, bias: bias, rows: tileRows, columns: tileColumns, stride: f, activation: activation)
    }
  }

  public func backward(
    dy: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, rows: Int, parameters: [UnsafePointer<Float>],
    gradients: [UnsafeMutablePointer<Float>], accumulate: Bool,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let (m, p, f) = (rows * outputPixels, patchLength, filters)
    let cols = UnsafePointer(scratch)
    let dcols = scratch + rows * outputPixels * patchLength
    if let activation {
      let (d, out) = (SendablePointer(dy), SendablePointer(UnsafeMutablePointer(mutating: y)))
      parallelFor(m * f, minimumChunk: ActivationLayer.minimumChunk) { chunk in
        ActivationKernels.backward(
          d.pointer + chunk.lowerBound, output: out.pointer + chunk.lowerBound,
          count: chunk.count, activation: activation)
      }
    }
    if let dx {
      BLAS.gemm(
        .none, .none, m: m, n: p, k: f, alpha: 1, a: dy, lda: f, b: parameters[1], ldb: p,
        beta: 0, c: dcols, ldc: p)
      fold(dcols, into: dx, rows: rows)
    }
    // dW is small and its inner dimension (every pixel of the batch) long: split along it.
    InnerSplitProduct.transposedTimes(
      m: f, n: p, k: m, a: dy, lda: f, b: cols, ldb: p, beta: accumulate ? 1 : 0,
      c: gradients[1], ldc: p)
    ColumnSums.add(dy, rows: m, cols: f, into: gradients[0], accumulate: accumulate)
  }

  /// im2col: `cols[(i, oy, ox), (ky, kx, c)] = x[i, oy + ky, ox + kx, c]`. A patch row of
  /// the kernel is `k·C` contiguous input values, copied as one run.
  func unfold(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>, rows: Int) {
    let (h, w, c) = (inputShape.height, inputShape.width, inputShape.channels)
    let (oh, ow, k, p) = (outputShape.height, outputShape.width, kernelSize, patchLength)
    let run = k * c
    let (source, target) = (
      SendablePointer(UnsafeMutablePointer(mutating: x)), SendablePointer(cols)
    )
    parallelFor(rows, minimumChunk: 8) { examples in
      for i in examples {
        let image = source.pointer + i * h * w * c
        var out = target.pointer + i * oh * ow * p
        for oy in 0..<oh {
          for ox in 0..<ow {
            for ky in 0..<k {
              let from = image + ((oy + ky) * w + ox) * c
              if run >= 32 {
                out.update(from: from, count: run)
              } else {
                // A few values: a call to memmove would cost more than the copy.
                for j in 0..<run { out[j] = from[j] }
              }
              out += run
            }
          }
        }
      }
    }
  }

  /// col2im, the adjoint of `unfold`: `dx[i, y, x, c] = Σ` of the `dcols` entries copied
  /// from it, added in patch order.
  func fold(_ dcols: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, rows: Int) {
    let (h, w, c) = (inputShape.height, inputShape.width, inputShape.channels)
    let (oh, ow, k, p) = (outputShape.height, outputShape.width, kernelSize, patchLength)
    let run = k * c
    let (source, target) = (
      SendablePointer(UnsafeMutablePointer(mutating: dcols)), SendablePointer(dx)
    )
    parallelFor(rows, minimumChunk: 8) { examples in
      for i in examples {
        let image = target.pointer + i * h * w * c
        image.update(repeating: 0, count: h * w * c)
        var patch = UnsafePointer(source.pointer + i * oh * ow * p)
        for oy in 0..<oh {
          for ox in 0..<ow {
            for ky in 0..<k {
              let destination = image + ((oy + ky) * w + ox) * c
              for j in 0..<run { destination[j] += patch[j] }
              patch += run
            }
          }
        }
      }
    }
  }
}
