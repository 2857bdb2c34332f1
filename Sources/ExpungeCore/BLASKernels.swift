import CBLAS
import Foundation

/// OpenBLAS (a DYNAMIC_ARCH build, as Debian's) picks its kernels by CPU model when it is
/// loaded, and on a model it does not know — a cloud VM's "Intel(R) Xeon(R) Processor" with
/// AVX-512 — falls back to its SSE3 kernels ("Prescott"): sgemm at a quarter of the
/// machine's speed (60 against 260 GFLOP/s on 2 cores here), the CNN 1.8× slower than
/// PyTorch instead of 0.6×. Before the first BLAS call Expunge chooses again by the CPU's
/// features: SkylakeX kernels with AVX-512 (F, CD, BW, DQ, VL), Haswell with AVX2 and FMA.
/// It changes nothing where OpenBLAS recognised the CPU, where `OPENBLAS_CORETYPE` is set,
/// or with `EXPUNGE_BLAS_KERNELS=openblas`. The family changes the last bits of results, so
/// every model records it (`NumericEnvironment.blasKernels`); child processes inherit the
/// choice through `OPENBLAS_CORETYPE`.
public enum BLASKernels {
  /// What OpenBLAS falls back to on a CPU it does not know.
  static let fallbacks: Set<String> = ["Prescott"]

  /// Chooses again when OpenBLAS fell back; called once, before the first BLAS call.
  static func chooseByCPUFeatures() {
    let environment = ProcessInfo.processInfo.environment
    guard environment["EXPUNGE_BLAS_KERNELS"] != "openblas",
      environment["OPENBLAS_CORETYPE"] == nil,
      let name = openblas_get_corename().map({ String(cString: $0) }), fallbacks.contains(name),
      let target = family(flags: cpuFlags())
    else { return }
    setenv("OPENBLAS_CORETYPE", target, 1)
    gotoblas_dynamic_quit()
    gotoblas_dynamic_init()
  }

  /// The kernel family for a CPU with these `/proc/cpuinfo` flags, if better than SSE3.
  public static func family(flags: Set<String>) -> String? {
    if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) {
      return "SKYLAKEX"
    }
    if ["avx2", "fma"].allSatisfy(flags.contains) { return "HASWELL" }
    return nil
  }

  /// The first processor's flags in `/proc/cpuinfo` (empty where there is none).
  public static func cpuFlags() -> Set<String> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
      let colon = line.firstIndex(of: ":")
    else { return [] }
    return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
  }
}
