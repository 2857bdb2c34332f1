import ExpungeCore
import Foundation
import Testing

/// The kernel family Expunge asks of OpenBLAS when OpenBLAS fell back to SSE3 on a CPU it
/// does not know.
@Suite("BLAS kernels")
struct BLASKernelsTests {
  @Test func familyFollowsTheCPUFeatures() {
    let avx512: Set = [
      "sse3", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl",
    ]
    #expect(BLASKernels.family(flags: avx512) == "SKYLAKEX")
    #expect(BLASKernels.family(flags: avx512.subtracting(["avx512vl"])) == "HASWELL")
    #expect(BLASKernels.family(flags: ["sse3", "avx2", "fma"]) == "HASWELL")
    #expect(BLASKernels.family(flags: ["sse3", "avx"]) == nil)
  }

  /// On a CPU with AVX2 and FMA this process never computes with the SSE3 fallback (unless
  /// told to keep OpenBLAS's choice), and the environment records what it computes with.
  @Test func thisProcessDoesNotRunTheFallbackOnAModernCPU() {
    let environment = ProcessInfo.processInfo.environment
    guard BLASKernels.family(flags: BLASKernels.cpuFlags()) != nil,
      environment["EXPUNGE_BLAS_KERNELS"] != "openblas", environment["OPENBLAS_CORETYPE"] == nil
    else { return }
    #expect(NumericEnvironment.current.blasKernels != "Prescott")
  }
}
