import CBLAS
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The facts besides inputs and seed that a model's bits depend on.
///
/// Within one environment Expunge gives the same bits for the same inputs and seed, whatever
/// the thread count (`Threads`). Across environments nothing promises that: another Expunge
/// version may compute differently; another OpenBLAS build, or the same build choosing other
/// kernels for another CPU (`DYNAMIC_ARCH`), sums products in another order; another C
/// library rounds `expf` and `logf` differently; another architecture has other
/// instructions; another split policy cuts products into other tiles. The store records the
/// environment at creation, for each shard and each request, and each saved model records its
/// own, so `expunge log --verify` can say when two runs are not comparable bit for bit.
///
/// ```
/// same inputs ∧ same seed ∧ same environment  ⇒  same bits (any thread count)
/// ```
///
/// A fact added later must be optional: a ledger request's hash covers its environment
/// re-encoded, and an optional that older records lack decodes to nil and encodes to nothing,
/// so their hashes still hold.
public struct NumericEnvironment: Codable, Sendable, Equatable, CustomStringConvertible {
  /// This build of Expunge (`NumericEnvironment.expungeVersion` when read here).
  public var expungeVersion: String
  /// How products and loops are cut into shape-fixed pieces (`ProductSplit.policyVersion`).
  public var splitPolicy: Int
  /// OpenBLAS's own description of its build, `openblas_get_config()`, e.g.
  /// "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64".
  public var blasBuild: String
  /// The kernel family OpenBLAS chose for this CPU, `openblas_get_corename()`, e.g.
  /// "Cooperlake" or "Haswell".
  public var blasKernels: String
  /// The C library whose math functions Expunge calls, e.g. "glibc 2.36".
  public var mathLibrary: String
  /// The CPU architecture Expunge was built for, e.g. "x86_64" or "arm64".
  public var architecture: String

  /// This build of Expunge: printed by `expunge --version`, recorded with models and stores.
  public static let expungeVersion = ExpungeVersion.current

  /// This process's environment, read once (after the kernels are chosen, see `BLASKernels`).
  public static let current: NumericEnvironment = {
    _ = Threads.count
    return NumericEnvironment(
      expungeVersion: expungeVersion, splitPolicy: ProductSplit.policyVersion,
      blasBuild: text(openblas_get_config()), blasKernels: text(openblas_get_corename()),
      mathLibrary: readMathLibrary(), architecture: compiledArchitecture)
  }()

  public init(
    expungeVersion: String, splitPolicy: Int, blasBuild: String, blasKernels: String,
    mathLibrary: String, architecture: String
  ) {
    self.expungeVersion = expungeVersion
    self.splitPolicy = splitPolicy
    self.blasBuild = blasBuild
    self.blasKernels = blasKernels
    self.mathLibrary = mathLibrary
    self.architecture = architecture
  }

  /// One line: "Expunge 0.1.0 (split policy 1), OpenBLAS 0.3.21 … (Cooperlake kernels),
  /// glibc 2.36, x86_64".
  public var description: String {
    "Expunge \(expungeVersion) (split policy \(splitPolicy)), \(blasBuild) (\(blasKernels) kernels), \(mathLibrary), \(architecture)"
  }

  /// The facts in which `self` differs from `other`, each a phrase naming the fact, its value
  /// here and then `other`'s: "OpenBLAS kernel family Haswell, not Cooperlake". Empty when
  /// the two give the same bits.
  ///
  /// A `DYNAMIC_ARCH` build names its kernel family inside its configuration too; the build
  /// is compared without it, so another CPU under the same library is one difference, not
  /// two.
  public func differences(from other: NumericEnvironment) -> [String] {
    var out: [String] = []
    func compare(_ fact: String, _ mine: String, _ theirs: String) {
      if mine != theirs { out.append("\(fact) \(mine), not \(theirs)") }
    }
    compare("Expunge version", expungeVersion, other.expungeVersion)
    compare("split policy", String(splitPolicy), String(other.splitPolicy))
    if Self.build(blasBuild, without: blasKernels)
      != Self.build(other.blasBuild, without: other.blasKernels)
    {
      compare("OpenBLAS build", "“\(blasBuild)”", "“\(other.blasBuild)”")
    }
    compare("OpenBLAS kernel family", blasKernels, other.blasKernels)
    compare("C math library", mathLibrary, other.mathLibrary)
    compare("CPU architecture", architecture, other.architecture)
    return out
  }

  /// `configuration`'s words without the kernel family's name.
  private static func build(_ configuration: String, without kernels: String) -> [Substring] {
    configuration.split(separator: " ").filter { $0.lowercased() != kernels.lowercased() }
  }

  private static func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    guard let pointer else { return "unknown" }
    let value = String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
    return value.isEmpty ? "unknown" : value
  }

  /// "glibc 2.36" from `confstr(_CS_GNU_LIBC_VERSION)`; the platform's name elsewhere.
  private static func readMathLibrary() -> String {
    #if canImport(Glibc)
      let name = Int32(_CS_GNU_LIBC_VERSION)
      let length = confstr(name, nil, 0)
      guard length > 0 else { return "unknown libc" }
      var buffer = [CChar](repeating: 0, count: length)
      guard confstr(name, &buffer, length) == length else { return "unknown libc" }
      return String(
        decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    #elseif canImport(Darwin)
      return "Darwin libSystem"
    #else
      return "unknown libc"
    #endif
  }

  private static var compiledArchitecture: String {
    #if arch(x86_64)
      return "x86_64"
    #elseif arch(arm64)
      return "arm64"
    #else
      return "unknown"
    #endif
  }
}
