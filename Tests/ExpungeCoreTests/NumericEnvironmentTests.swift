import ExpungeCore
import Foundation
import Testing

/// The numeric environment: read from the libraries, encoded without loss, and compared fact
/// by fact in sentences that name what differs.
@Suite("Numeric environment")
struct NumericEnvironmentTests {
  static let cooperlake = NumericEnvironment(
    expungeVersion: "0.1.0", splitPolicy: 1,
    blasBuild: "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64",
    blasKernels: "Cooperlake", mathLibrary: "glibc 2.36", architecture: "x86_64")

  @Test func currentIsReadFromTheLibraries() {
    let here = NumericEnvironment.current
    #expect(here.expungeVersion == NumericEnvironment.expungeVersion)
    #expect(here.splitPolicy >= 1)
    #expect(here.blasBuild.hasPrefix("OpenBLAS "), "\(here.blasBuild)")
    #expect(!here.blasKernels.isEmpty && here.blasKernels != "unknown")
    if here.blasBuild.contains("DYNAMIC_ARCH") {
      #expect(here.blasBuild.lowercased().contains(here.blasKernels.lowercased()))
    }
    #if canImport(Glibc)
      #expect(here.mathLibrary.hasPrefix("glibc 2."), "\(here.mathLibrary)")
    #endif
    #expect(here.architecture != "unknown")
    #expect(here.differences(from: .current).isEmpty)
  }

  @Test func jsonRoundTripIsExact() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for environment in [Self.cooperlake, .current] {
      let data = try encoder.encode(environment)
      #expect(try JSONDecoder().decode(NumericEnvironment.self, from: data) == environment)
    }
    #expect(
      String(decoding: try encoder.encode(Self.cooperlake), as: UTF8.self)
        == #"{"architecture":"x86_64","blasBuild":"OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64","blasKernels":"Cooperlake","expungeVersion":"0.1.0","mathLibrary":"glibc 2.36","splitPolicy":1}"#
    )
  }

  @Test func descriptionIsOneLine() {
    #expect(
      Self.cooperlake.description
        == "Expunge 0.1.0 (split policy 1), OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64 (Cooperlake kernels), glibc 2.36, x86_64"
    )
  }

  /// Each fact alone, changed: one sentence, naming it, the value here, then the other's.
  @Test(arguments: [
    ("expungeVersion", "Expunge version 0.2.0, not 0.1.0"),
    ("splitPolicy", "split policy 2, not 1"),
    (
      "blasBuild",
      "OpenBLAS build “OpenBLAS 0.3.26 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64”, not “OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64”"
    ),
    ("mathLibrary", "C math library glibc 2.39, not glibc 2.36"),
    ("architecture", "CPU architecture arm64, not x86_64"),
  ])
  func eachFactIsNamed(fact: String, sentence: String) {
    var other = Self.cooperlake
    switch fact {
    case "expungeVersion": other.expungeVersion = "0.2.0"
    case "splitPolicy": other.splitPolicy = 2
    case "blasBuild": other.blasBuild = other.blasBuild.replacingOccurrences(of: "21", with: "26")
    case "mathLibrary": other.mathLibrary = "glibc 2.39"
    default: other.architecture = "arm64"
    }
    #expect(other.differences(from: Self.cooperlake) == [sentence])
    #expect(other != Self.cooperlake)
  }

  /// The same DYNAMIC_ARCH library on another CPU: its configuration names the other kernels
  /// too, but that is one difference, the kernel family.
  @Test func anotherCPUIsOneDifference() {
    var haswell = Self.cooperlake
    haswell.blasKernels = "Haswell"
    haswell.blasBuild = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"
    #expect(
      haswell.differences(from: Self.cooperlake) == [
        "OpenBLAS kernel family Haswell, not Cooperlake"
      ])
    #expect(
      Self.cooperlake.differences(from: haswell) == [
        "OpenBLAS kernel family Cooperlake, not Haswell"
      ])
  }

  @Test func everythingChangedIsEveryFact() {
    let other = NumericEnvironment(
      expungeVersion: "0.2.0", splitPolicy: 2, blasBuild: "OpenBLAS 0.3.26 NEOVERSEN1",
      blasKernels: "NEOVERSEN1", mathLibrary: "glibc 2.39", architecture: "arm64")
    #expect(
      other.differences(from: Self.cooperlake) == [
        "Expunge version 0.2.0, not 0.1.0", "split policy 2, not 1",
        "OpenBLAS build “OpenBLAS 0.3.26 NEOVERSEN1”, not “OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64”",
        "OpenBLAS kernel family NEOVERSEN1, not Cooperlake",
        "C math library glibc 2.39, not glibc 2.36", "CPU architecture arm64, not x86_64",
      ])
  }
}
