// swift-tools-version:6.0
// Expunge: machine unlearning in Swift. See README.md ("Architecture") for the module map.
import PackageDescription

let package = Package(
  name: "Expunge",
  products: [
    .executable(name: "expunge", targets: ["expunge"]),
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

    .target(name: "ExpungeCore", dependencies: ["CBLAS", "CScheduler"]),
    .target(name: "ExpungeData", dependencies: ["ExpungeCore", "CZlib"]),
    .target(name: "ExpungeModels", dependencies: ["ExpungeCore", "ExpungeData"]),
    .target(
      name: "ExpungeUnlearning", dependencies: ["ExpungeCore", "ExpungeData", "ExpungeModels"]),
    .target(
      name: "ExpungeStore",
      dependencies: [
        "ExpungeCore", "ExpungeData", "ExpungeModels", "ExpungeUnlearning", "CSQLite", "CZlib",
      ]),
    .target(name: "ExpungeAudit", dependencies: ["ExpungeCore", "ExpungeData", "ExpungeModels"]),
    .target(
      name: "ExpungeCLI",
      dependencies: [
        "ExpungeCore", "ExpungeData", "ExpungeModels", "ExpungeUnlearning", "ExpungeStore",
        "ExpungeAudit",
      ]),
    .executableTarget(name: "expunge", dependencies: ["ExpungeCLI"]),

    // CBLAS: the Cholesky tests' reference downdate makes the same `dtrsv` call as Core.
    .testTarget(name: "ExpungeCoreTests", dependencies: ["ExpungeCore", "CBLAS"]),
    .testTarget(name: "ExpungeDataTests", dependencies: ["ExpungeData"]),
    .testTarget(name: "ExpungeModelsTests", dependencies: ["ExpungeModels"]),
    .testTarget(name: "ExpungeUnlearningTests", dependencies: ["ExpungeUnlearning"]),
    .testTarget(name: "ExpungeAuditTests", dependencies: ["ExpungeAudit"]),
    .testTarget(name: "ExpungeStoreTests", dependencies: ["ExpungeStore", "CSQLite"]),
    .testTarget(
      name: "ExpungeCLITests",
      dependencies: [
        "ExpungeCLI", "ExpungeData", "ExpungeStore", "ExpungeAudit", "CZlib", "CSQLite",
      ]),
  ],
  swiftLanguageModes: [.v6]
)
