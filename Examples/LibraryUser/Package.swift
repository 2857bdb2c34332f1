// swift-tools-version:6.0
// The example of docs/swift.md: a package that uses Expunge as a Swift user's would, by path.
import PackageDescription

let package = Package(
  name: "LibraryUser",
  dependencies: [.package(name: "Expunge", path: "../..")],
  targets: [
    .executableTarget(
      name: "LibraryUser", dependencies: [.product(name: "Expunge", package: "Expunge")])
  ],
  swiftLanguageModes: [.v6]
)
