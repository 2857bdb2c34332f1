// swift-tools-version:6.0
// Expunge: machine unlearning in Swift. See README.md ("Architecture") for the module map.
import PackageDescription

// On x86-64 the Swift code is compiled for Haswell-class CPUs (AVX2, 2013 or later): the
// elementwise kernels (Adam, softmax, activations) run on 8 lanes instead of SSE2's 4 —
// Adam's step on an MLP 784-256-10 takes 51 µs instead of 93. Swift never fuses a multiply
// and an add on its own, so the results are the same bits as a baseline build (the test
// suite and the thread-count tests pass either way); only the speed changes.
#if arch(x86_64)
  let cpu: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
  let cpu: [SwiftSetting] = []
#endif

let package = Package(
  name: "Expunge",
  products: [
    .executable(name: "expunge", targets: ["expunge"]),
    // `import Expunge`: every library module below, re-exported.
    .library(name: "Expunge", targets: ["Expunge"]),
    .library(name: "ExpungeCore", targets: ["ExpungeCore"]),
    .library(name: "ExpungeData", targets: ["ExpungeData"]),
    .library(name: "ExpungeModels", targets: ["ExpungeModels"]),
    .library(name: "ExpungeUnlearning", targets: ["ExpungeUnlearning"]),
    .library(name: "ExpungeStore", targets: ["ExpungeStore"]),
    .library(name: "ExpungeAudit", targets: ["ExpungeAudit"]),
    .library(name: "ExpungeCLI", targets: ["ExpungeCLI"]),
  ],
  targets: [
    // C libraries from Debian, through module maps.
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
    .systemLibrary(
      name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    // glibc's thread placement calls (no library beyond libc).
    .systemLibrary(name: "CScheduler"),

    .target(name: "ExpungeCore", dependencies: ["CBLAS", "CScheduler"], swiftSettings: cpu),
    .target(name: "ExpungeData", dependencies: ["ExpungeCore", "CZlib"], swiftSettings: cpu),
    .target(
      name: "ExpungeModels", dependencies: ["ExpungeCore", "ExpungeData"], swiftSettings: cpu),
    .target(
      name: "ExpungeUnlearning", dependencies: ["ExpungeCore", "ExpungeData", "ExpungeModels"],
      swiftSettings: cpu),
    .target(
      name: "ExpungeStore",
      dependencies: [
        "ExpungeCore", "ExpungeData", "ExpungeModels", "ExpungeUnlearning", "CSQLite", "CZlib",
      ], swiftSettings: cpu),
    // The audit runs on a store's version or a model, so it sees the store (which never sees it).
    .target(
      name: "ExpungeAudit",
      dependencies: [
        "ExpungeCore", "ExpungeData", "ExpungeModels", "ExpungeUnlearning", "ExpungeStore",
      ], swiftSettings: cpu),
    .target(
      name: "Expunge",
      dependencies: [
        "ExpungeCore", "ExpungeData", "ExpungeModels", "ExpungeUnlearning", "ExpungeStore",
        "ExpungeAudit",
      ], swiftSettings: cpu),
    .target(
      name: "ExpungeCLI",
      dependencies: [
        "ExpungeCore", "ExpungeData", "ExpungeModels", "ExpungeUnlearning", "ExpungeStore",
        "ExpungeAudit",
      ], swiftSettings: cpu),
    .executableTarget(name: "expunge", dependencies: ["ExpungeCLI"], swiftSettings: cpu),

    // CBLAS: the Cholesky tests' reference downdate makes the same `dtrsv` call as Core.
    .testTarget(name: "ExpungeCoreTests", dependencies: ["ExpungeCore", "CBLAS"]),
    .testTarget(name: "ExpungeDataTests", dependencies: ["ExpungeData"]),
    .testTarget(name: "ExpungeModelsTests", dependencies: ["ExpungeModels"]),
    .testTarget(name: "ExpungeUnlearningTests", dependencies: ["ExpungeUnlearning"]),
    .testTarget(name: "ExpungeAuditTests", dependencies: ["ExpungeAudit", "ExpungeStore"]),
    .testTarget(name: "ExpungeTests", dependencies: ["Expunge"]),
    .testTarget(name: "ExpungeStoreTests", dependencies: ["ExpungeStore", "CSQLite"]),
    .testTarget(
      name: "ExpungeCLITests",
      dependencies: [
        "ExpungeCLI", "ExpungeData", "ExpungeStore", "ExpungeAudit", "CZlib", "CSQLite",
      ]),
  ],
  swiftLanguageModes: [.v6]
)
