/// Expunge's one random number generator: xoshiro256** (Blackman & Vigna, 2018), its 256-bit
/// state filled from a 64-bit seed by SplitMix64.
///
/// Every random choice in Expunge (initialization, shuffles, shard assignment, noise) draws
/// from a `SeededGenerator` built from an explicit seed, so the same inputs and seed give the
/// same bits on every run and platform. Sub-streams for independent parts (a shard, a layer,
/// an epoch) come from `derived(_:)` with a stable key — never from the order in which work
/// happens to run.
///
/// The algorithms here (Fisher–Yates, Box–Muller, Lemire bounded integers) are written out
/// rather than taken from the standard library, whose implementations may change between
/// releases and would change our bits.
///
/// Reference: https://prng.di.unimi.it/xoshiro256starstar.c
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
  @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  /// A generator whose whole state follows from `seed`.
  public init(seed: UInt64) {
    var sm = SplitMix64(state: seed)
    s0 = sm.next()
    s1 = sm.next()
    s2 = sm.next()
    s3 = sm.next()
  }

  /// The next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  @usableFromInline
  func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// An independent generator for sub-task `key` (e.g. a shard number or a layer index),
  /// a pure function of this generator's current state and the key.
  public func derived(_ key: UInt64) -> SeededGenerator {
    SeededGenerator(seed: SplitMix64.mix(s0 ^ SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15)))
  }

  /// An independent generator for a named sub-task (FNV-1a of the UTF-8 name as the key).
  public func derived(_ key: String) -> SeededGenerator { derived(Self.stableHash(key)) }

  /// A 64-bit FNV-1a hash of `text`: stable across runs and platforms, unlike `Hasher`.
  public static func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      h ^= UInt64(byte)
      h = h &* 0x100_0000_01b3
    }
    return h
  }

  /// Uniform `Double` in [0, 1) with 53 random bits.
  @inlinable
  public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// Uniform `Float` in [0, 1) with 24 random bits.
  @inlinable
  public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

  /// Uniform integer in `0..<bound` without modulo bias (Lemire's multiply-shift method).
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }

  /// A standard normal `Double` by the Box–Muller transform (one draw per call; the sine
  /// branch is discarded so the stream does not depend on how many values were taken before).
  public mutating func nextNormal() -> Double {
    var u1 = nextDouble()
    while u1 <= .leastNormalMagnitude { u1 = nextDouble() }
    let u2 = nextDouble()
    return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
  }

  /// `count` independent N(mean, std²) values as `Float`.
  public mutating func normals(_ count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
    (0..<count).map { _ in mean + std * Float(nextNormal()) }
  }

  /// `count` independent U[low, high) values as `Float`.
  public mutating func uniforms(_ count: Int, low: Float = 0, high: Float = 1) -> [Float] {
    (0..<count).map { _ in low + (high - low) * nextFloat() }
  }

  /// A uniformly random permutation of `0..<n` (Fisher–Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    shuffle(&p)
    return p
  }

  /// Shuffles `array` in place, uniformly (Fisher–Yates, from the end).
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      array.swapAt(i, nextInt(below: i + 1))
    }
  }

  /// `k` distinct indices from `0..<n`, uniformly, in random order.
  public mutating func choice(_ n: Int, _ k: Int) -> [Int] {
    precondition(k >= 0 && k <= n, "choice: cannot pick \(k) distinct values from \(n)")
    // Partial Fisher–Yates over a sparse map keeps this O(k) for k ≪ n.
    var swapped: [Int: Int] = [:]
    var out = [Int]()
    out.reserveCapacity(k)
    for i in 0..<k {
      let j = i + nextInt(below: n - i)
      let vj = swapped[j] ?? j
      swapped[j] = swapped[i] ?? i
      out.append(vj)
    }
    return out
  }
}

/// SplitMix64 (Steele, Lea & Flood, 2014): seeds xoshiro and mixes keys.
struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return Self.mix(state)
  }

  static func mix(_ z0: UInt64) -> UInt64 {
    var z = z0
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
