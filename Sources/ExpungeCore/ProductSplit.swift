/// How `BLAS` splits one matrix product `C = op(A)·op(B)` (`m × n`, inner dimension `k`)
/// into a grid of tiles of `C`, each an OpenBLAS call of its own on one thread.
///
/// The split is a function of the shape alone, so a product gives the same bits whether its
/// tiles run on one thread or many. The grid has a power of two of tiles (2, 4 or 8 threads
/// share them evenly), each of at least `minimumTileFlops`; it is grown by halving the
/// longer side of the tile, so tiles stay about square (a tile packs its own strips of A
/// and B, and a square tile reuses each packed element the most); no side falls below
/// `minimumTileWidth`, and inner boundaries sit on multiples of 16 (whole micro-kernel
/// panels).
struct ProductSplit: Sendable {
  /// The version of every shape-fixed split: this grid, `GramSplit`'s blocks, the chunks of
  /// `chunkCount` / `chunkRange` and the minimum chunks their callers pass. Results change
  /// with any of them, so raise it with any change to them; it is recorded in
  /// `NumericEnvironment`.
  static let policyVersion = 1

  /// Below this many flops a tile's dispatch and its packing cost more than a second
  /// thread saves. Measured with `expunge-bench worker gemm` on 2 cores: at
  /// 128 × 256 × 784 (51 Mflop) two tiles run at 1.6× one thread's speed.
  static let minimumTileFlops = 16e6
  /// At most this many tiles: enough for a few dozen threads.
  static let maximumTiles = 64
  /// A tile's rows and columns, at least.
  static let minimumTileWidth = 64

  let m: Int
  let n: Int
  /// Tiles down (row blocks) and across (column blocks).
  let rowTiles: Int
  let columnTiles: Int
  var tiles: Int { rowTiles * columnTiles }

  init(m: Int, n: Int, k: Int) {
    self.m = m
    self.n = n
    let target = min(
      Self.maximumTiles, Int(2 * Double(m) * Double(n) * Double(k) / Self.minimumTileFlops))
    var (down, across) = (1, 1)
    while down * across * 2 <= target {
      let (height, width) = (m / down, n / across)
      if height >= width && height / 2 >= Self.minimumTileWidth {
        down *= 2
      } else if width / 2 >= Self.minimumTileWidth {
        across *= 2
      } else if height / 2 >= Self.minimumTileWidth {
        down *= 2
      } else {
        break
      }
    }
    rowTiles = down
    columnTiles = across
  }

  /// The rows and columns of `C` that tile `t` computes.
  func block(_ t: Int) -> (rows: Range<Int>, columns: Range<Int>) {
    let (i, j) = (t / columnTiles, t % columnTiles)
    return (
      Self.bound(i, of: rowTiles, m)..<Self.bound(i + 1, of: rowTiles, m),
      Self.bound(j, of: columnTiles, n)..<Self.bound(j + 1, of: columnTiles, n)
    )
  }

  private static func bound(_ t: Int, of parts: Int, _ length: Int) -> Int {
    t >= parts ? length : (t * length / parts) / 16 * 16
  }

  /// Runs `product(rows of C, columns of C, offset into A, offset into B, offset into C)`
  /// for every tile, on the pool; offsets are element offsets into the stored row-major
  /// buffers.
  func run(
    transA: Transpose, transB: Transpose, lda: Int, ldb: Int, ldc: Int,
    _ product: (_ rows: Range<Int>, _ columns: Range<Int>, _ a: Int, _ b: Int, _ c: Int) -> Void
  ) {
    if tiles == 1 {
      product(0..<m, 0..<n, 0, 0, 0)
      return
    }
    WorkerPool.shared.run(tiles, threads: Threads.count) { t in
      let (rows, columns) = block(t)
      let a = transA == .none ? rows.lowerBound * lda : rows.lowerBound
      let b = transB == .none ? columns.lowerBound : columns.lowerBound * ldb
      product(rows, columns, a, b, rows.lowerBound * ldc + columns.lowerBound)
    }
  }
}

/// How `BLAS.dsyrkFull` cuts the upper triangle of a `d × d` Gram matrix `AᵀA` (`A` is
/// `n × d`) into row blocks of about equal area, as a function of the shape alone.
struct GramSplit: Sendable {
  let blocks: Int
  let d: Int

  init(n: Int, d: Int) {
    self.d = d
    let byWork = Int(Double(n) * Double(d) * Double(d) / ProductSplit.minimumTileFlops)
    // The top block is the thinnest, about d/(2·blocks) rows.
    let byWidth = d / ProductSplit.minimumTileWidth
    var t = 1
    while t * 2 <= min(byWork, byWidth, ProductSplit.maximumTiles) { t *= 2 }
    blocks = t
  }

  /// The rows of block `t`: the part of the triangle below row r has area (d − r)²/2, so
  /// block t starts where a fraction t/blocks of the area lies above it.
  func range(_ t: Int) -> Range<Int> { bound(t)..<bound(t + 1) }

  private func bound(_ t: Int) -> Int {
    if t == 0 { return 0 }
    if t >= blocks { return d }
    let r = Double(d) * (1 - (1 - Double(t) / Double(blocks)).squareRoot())
    return Int(r) / 8 * 8
  }
}
