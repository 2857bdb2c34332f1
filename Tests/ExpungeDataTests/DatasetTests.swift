import ExpungeCore
import ExpungeData
import Foundation
import Testing

@Suite("Datasets, catalog and standardization")
struct DatasetTests {
  static let blobs = try! DatasetCatalog.load("synthetic:n=600,d=5,classes=3,seed=4")

  @Test func syntheticIsReproducibleAndBalanced() throws {
    let again = try DatasetCatalog.load("synthetic:n=600,d=5,classes=3,seed=4")
    #expect(again == Self.blobs)
    #expect(Self.blobs.count == 600 && Self.blobs.featureCount == 5)
    #expect(Self.blobs.classCounts == [200, 200, 200])
    let other = try DatasetCatalog.load("synthetic:n=600,d=5,classes=3,seed=5")
    #expect(other.features != Self.blobs.features)
    #expect(
      failure { try DatasetCatalog.load("synthetic:n=0") }
        == "synthetic:n=0: 'n=0' is invalid; expected n ≥ 1")
    #expect(
      failure { try DatasetCatalog.load("synthetic:size=3") }
        == "synthetic:size=3: 'size=3' is invalid; expected key n, d, classes, seed or sep")
  }

  @Test func unknownNamesAndMissingFiles() {
    #expect(
      failure { try DatasetCatalog.load("fashion") }?.hasPrefix(
        "unknown dataset 'fashion'; built-in datasets are fashion-mnist, ") == true)
    #expect(
      failure { try DatasetCatalog.load("/no/such/rows.csv") } == "/no/such/rows.csv: no such file")
  }

  @Test(
    .enabled(
      if: FileManager.default.fileExists(
        atPath: "\(DatasetCatalog.fashionMNISTDirectory)/t10k-images-idx3-ubyte.gz")))
  func fashionMNISTTestSplit() throws {
    let test = try DatasetCatalog.load("fashion-mnist:test")
    #expect(test.count == 10_000 && test.featureCount == 784 && test.classCount == 10)
    #expect(test.classCounts == [Int](repeating: 1000, count: 10))
    #expect(test.features.storage.allSatisfy { $0 >= 0 && $0 <= 1 })
    #expect(test.features.storage.contains(1) && test.features.storage.contains(0))
  }

  @Test func limitIsStratifiedSeededAndOrderPreserving() throws {
    let limited = try Self.blobs.limited(to: 90, seed: 1)
    #expect(limited.classCounts == [30, 30, 30])
    #expect(limited.ids == limited.ids.sorted())
    #expect(try Self.blobs.limited(to: 90, seed: 1) == limited)
    #expect(try Self.blobs.limited(to: 90, seed: 2).ids != limited.ids)
    #expect(
      failure { try Self.blobs.limited(to: 601, seed: 1) }?.contains("exceeds its 600 rows") == true
    )
  }

  @Test func splitIsDisjointStratifiedAndSeeded() throws {
    let (train, validation) = try Self.blobs.split(validationFraction: 0.2, seed: 9)
    #expect(validation.classCounts == [40, 40, 40])
    #expect(Set(train.ids).isDisjoint(with: validation.ids))
    #expect(train.count + validation.count == 600)
    let again = try Self.blobs.split(validationFraction: 0.2, seed: 9)
    #expect(again.validation == validation)
  }

  @Test func selectingAndRemoving() throws {
    let pair = try Self.blobs.selectingClasses([2, 0])
    #expect(pair.classCount == 2 && pair.count == 400)
    let originalLabel = Dictionary(uniqueKeysWithValues: zip(Self.blobs.ids, Self.blobs.labels))
    for (id, y) in zip(pair.ids, pair.labels) { #expect(originalLabel[id] == (y == 0 ? 2 : 0)) }
    #expect(
      failure { try Self.blobs.selectingClasses([3]) }?.contains("class 3 does not exist") == true)
    let removed = Self.blobs.removing(ids: [SampleID(0), SampleID(599), SampleID(10_000)])
    #expect(removed.count == 598)
    #expect(!removed.ids.contains(SampleID(0)) && !removed.ids.contains(SampleID(599)))
  }

  @Test func finiteAndWidthChecksNameTheRow() {
    var data = Self.blobs
    data.features[3, 4] = .nan
    #expect(
      failure { try data.validateFinite() }
        == "\(data.source): row with id 3 has NaN in column 5; features must be finite")
    #expect(
      failure { try Self.blobs.requireWidth(784, expectedBy: "model m") }
        == "\(Self.blobs.source) has 5 features, but model m is expecting 784 features as input")
  }

  @Test func standardizerFitsOnTrainOnly() {
    let (train, test) = try! Self.blobs.split(validationFraction: 0.25, seed: 1)
    var withConstant = train.features
    for r in 0..<withConstant.rows { withConstant[r, 0] = 7 }
    let s = Standardizer(fitting: withConstant)
    let z = s.transform(withConstant)
    for c in 0..<z.cols {
      let column = (0..<z.rows).map { Double(z[$0, c]) }
      let mean = column.reduce(0, +) / Double(z.rows)
      let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(z.rows)
      #expect(abs(mean) < 1e-5)
      #expect(abs(variance - (c == 0 ? 0 : 1)) < 1e-4, "a constant column maps to 0, not NaN")
    }
    // The test rows use the training statistics, unchanged.
    let zt = s.transform(test.features)
    #expect(abs(zt[0, 1] - (test.features[0, 1] - s.mean[1]) / s.scale[1]) < 1e-6)
  }
}
