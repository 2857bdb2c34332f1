// swift-tools-version:6.0
// Expunge's benchmarks: a separate package so the library stays dependency-free.
// `make bench` (or `bash Benchmarks/run.sh`) builds it in release and runs the driver.
import PackageDescription

let package = Package(
  name: "ExpungeBenchmarks",
  dependencies: [.package(name: "Expunge", path: "..")],
  targets: [
    .executableTarget(
      name: "expunge-bench",
      dependencies: [
        .product(name: "ExpungeCore", package: "Expunge"),
        .product(name: "ExpungeData", package: "Expunge"),
        .product(name: "ExpungeModels", package: "Expunge"),
        .product(name: "ExpungeUnlearning", package: "Expunge"),
        .product(name: "ExpungeStore", package: "Expunge"),
      ])
  ],
  swiftLanguageModes: [.v6]
)
