import ExpungeCore
import ExpungeData
import ExpungeModels
import Foundation
import Testing

/// Model files: the safetensors format byte by byte, bit-exact round trips, refusals of
/// malformed files, and — where Python has `numpy` and `safetensors` — the reference reader.
@Suite("Persistence")
struct PersistenceTests {
  static func scratch(_ name: String = #function) -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("expunge-persist-\(name.filter(\.isLetter))-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Values that catch lossy encodings: −0, subnormals, NaN payloads, infinities, extremes.
  static let awkward: [Float] = [
    -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity, .infinity,
    Float(bitPattern: 0x7fc0_1234), 1 / 3, -1e-38,
  ]

  @Test func safetensorsLayoutFollowsTheSpecification() throws {
    var buffer = ParameterBuffer(layout: [(name: "a", shape: [2, 2]), (name: "b", shape: [3])])
    buffer.values = [1, 2, 3, 4, 5, 6, 7]
    let bytes = [UInt8](Safetensors.encode(buffer, metadata: ["format": "test"]))
    let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
    #expect(headerLength % 8 == 0, "header padded to 8 bytes")
    #expect(bytes.count == 8 + headerLength + 7 * 4)
    let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)]))
    let object = try #require(header as? [String: Any])
    let a = try #require(object["a"] as? [String: Any])
    #expect(a["dtype"] as? String == "F32")
    #expect(a["shape"] as? [Int] == [2, 2])
    #expect(a["data_offsets"] as? [Int] == [0, 16])
    #expect((object["b"] as? [String: Any])?["data_offsets"] as? [Int] == [16, 28])
    #expect(object["__metadata__"] as? [String: String] == ["format": "test"])
    // Little-endian float32 data right after the header: 1.0 is 00 00 80 3f.
    #expect(Array(bytes[(8 + headerLength)..<(12 + headerLength)]) == [0, 0, 0x80, 0x3f])
  }

  @Test func safetensorsRoundTripIsBitExact() throws {
    var buffer = ParameterBuffer(layout: [(name: "w", shape: [2, 4])])
    buffer.values = Self.awkward
    let (decoded, metadata, doubles) = try Safetensors.decode(
      Safetensors.encode(buffer, metadata: ["k": "v"]), source: "mem")
    #expect(decoded.views == buffer.views)
    #expect(decoded.values.map(\.bitPattern) == buffer.values.map(\.bitPattern))
    #expect(metadata == ["k": "v"] && doubles.isEmpty)
  }

  /// Tensors given in double precision are written as F64 and read back bit for bit (a
  /// certified model's weights), the others stay F32.
  @Test func float64TensorsRoundTripExactly() throws {
    var buffer = ParameterBuffer(layout: [(name: "a", shape: [3]), (name: "w", shape: [2, 2])])
    let wide = [1.0 / 3, -2e-300, .pi, 1e300]
    buffer.values = [1, 2, 3] + wide.map(Float.init)
    let (decoded, _, doubles) = try Safetensors.decode(
      Safetensors.encode(buffer, doubles: ["w": wide]), source: "mem")
    #expect(decoded.views == buffer.views)
    #expect(doubles.keys.sorted() == ["w"])
    #expect(doubles["w"]!.map(\.bitPattern) == wide.map(\.bitPattern))
    #expect(decoded["a"] == [1, 2, 3])

    var config = CertifiedLogisticConfig()
    config.totalPenalty = 1
    let model = CertifiedLogisticRegression(
      config: config, featureCount: 2, classCount: 3,
      weights: [[1.0 / 3, 2.0 / 3], [1e-9, -1.0 / 7], [.pi, -.pi]])
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "expunge-f64-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try ModelDirectory.save(model, metadata: ModelMetadata(expungeVersion: "test"), to: directory)
    let loaded = try #require(
      try ModelDirectory.load(from: directory).instantiate() as? CertifiedLogisticRegression)
    #expect(loaded.flatWeights.map(\.bitPattern) == model.flatWeights.map(\.bitPattern))
    #expect(loaded.parameters == model.parameters)
  }

  @Test func malformedFilesAreRefusedWithAReason() {
    func reason(_ bytes: [UInt8]) -> String? {
      do {
        _ = try Safetensors.decode(Data(bytes), source: "f")
        return nil
      } catch {
        return "\(error)"
      }
    }
    func file(_ header: String, dataBytes: Int) -> [UInt8] {
      var h = Array(header.utf8)
      while h.count % 8 != 0 { h.append(0x20) }
      return (0..<8).map { UInt8((h.count >> (8 * $0)) & 0xff) } + h
        + [UInt8](repeating: 0, count: dataBytes)
    }
    #expect(
      reason([1, 2, 3])
        == "f: not a valid safetensors file: 3 bytes, shorter than the 8-byte header length")
    #expect(
      reason([255, 0, 0, 0, 0, 0, 0, 0])
        == "f: not a valid safetensors file: header length 255 exceeds the 0 bytes after it")
    #expect(
      reason(file("{not json", dataBytes: 0))
        == "f: not a valid safetensors file: the header is not valid JSON")
    #expect(
      reason(file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, dataBytes: 4))
        == "f: not a valid safetensors file: tensor 't' has 4 bytes, but F32 [2] needs 8")
    #expect(
      reason(file(#"{"t":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}"#, dataBytes: 2))
        == "f: not a valid safetensors file: tensor 't' has dtype BF16; supported: F32, F64, I32, I64, U8"
    )
    #expect(
      reason(
        file(
          #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
          dataBytes: 4))
        == "f: not a valid safetensors file: tensor 'b' overlaps the tensor before it")
    #expect(
      reason(file(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, dataBytes: 8))
        == "f: not a valid safetensors file: 4 bytes after the last tensor")
  }

  /// Every model kind: save, load, rebuild, and get the same parameters and predictions.
  @Test(arguments: ["logistic", "softmax", "ridge", "mlp"])
  func modelDirectoryRoundTrip(kind: String) throws {
    let data = try DatasetCatalog.load("synthetic:n=120,d=5,classes=3,seed=8")
    let model: any Classifier
    switch kind {
    case "logistic": model = try LogisticRegression.fit(try data.selectingClasses([0, 1]))
    case "softmax": model = try SoftmaxRegression.fit(data)
    case "ridge": model = try RidgeClassifier.fit(data)
    default: model = try MLP.fit(data, config: MLPFixtures.config(hidden: [7], epochs: 2))
    }
    let dir = Self.scratch().appendingPathComponent("model")
    defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
    let standardizer = Standardizer(fitting: data.features)
    var metadata = ModelMetadata(expungeVersion: "test")
    metadata.trainingRows = data.count
    try ModelDirectory.save(model, standardizer: standardizer, metadata: metadata, to: dir)
    let saved = try ModelDirectory.load(from: dir)
    #expect(saved.configuration == model.configuration)
    #expect(saved.standardizer == standardizer)
    #expect(saved.metadata == metadata)
    let rebuilt = try saved.instantiate()
    #expect(
      rebuilt.tensors.parameters.values.map(\.bitPattern)
        == model.tensors.parameters.values.map(\.bitPattern))
    #expect(
      rebuilt.predictProbabilities(data.features) == model.predictProbabilities(data.features))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        == ["config.json", "weights.safetensors"], "no temporary files left behind")
  }

  /// A model records the numeric environment its weights were computed in; `config.json`
  /// files written before that field existed still load, with none.
  @Test func theNumericEnvironmentTravelsWithTheModel() throws {
    let data = try DatasetCatalog.load("synthetic:n=60,d=3,classes=2,seed=4")
    let model = try LogisticRegression.fit(data)
    let dir = Self.scratch().appendingPathComponent("model")
    defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
    #expect(ModelMetadata(expungeVersion: "test").environment == .current)
    var elsewhere = NumericEnvironment.current
    elsewhere.blasKernels = "Haswell"
    try ModelDirectory.save(
      model, metadata: ModelMetadata(expungeVersion: "test", environment: elsewhere), to: dir)
    #expect(try ModelDirectory.load(from: dir).metadata.environment == elsewhere)
    #expect(try ModelDirectory.metadata(of: dir).environment == elsewhere)

    let config = dir.appendingPathComponent("config.json")
    var json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
    var metadata = try #require(json["metadata"] as? [String: Any])
    #expect(metadata["environment"] != nil)
    metadata["environment"] = nil
    json["metadata"] = metadata
    try JSONSerialization.data(withJSONObject: json).write(to: config)
    let old = try ModelDirectory.load(from: dir)
    #expect(old.metadata.environment == nil)
    #expect(try old.instantiate().tensors.parameters == model.tensors.parameters)
  }

  @Test func loadingRefusesWhatIsNotAModel() throws {
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(throws: ModelError.io(path: dir.path, reason: "not a model directory (no config.json)"))
    {
      try ModelDirectory.load(from: dir)
    }
    #expect(
      FileManager.default.createFile(
        atPath: dir.appendingPathComponent("notes.txt").path, contents: Data("keep me".utf8)))
    #expect(throws: ModelError.self) { try ModelDirectory.checkWritable(dir) }
    #expect(
      FileManager.default.createFile(
        atPath: dir.appendingPathComponent("config.json").path,
        contents: Data("{\"model\":".utf8)))
    #expect(
      throws: ModelError.io(
        path: dir.appendingPathComponent("config.json").path, reason: "not valid JSON")
    ) { try ModelDirectory.load(from: dir) }
  }

  // MARK: Interoperability with the reference implementation

  /// A Python that has numpy and safetensors: `$EXPUNGE_PYTHON`, the benchmark peers'
  /// environment, or the system's python3.
  static let python: String? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let candidates = [
      ProcessInfo.processInfo.environment["EXPUNGE_PYTHON"],
      root.appendingPathComponent("Benchmarks/peers/.venv/bin/python").path, "/usr/bin/python3",
    ].compactMap { $0 }
    return candidates.first { path in
      FileManager.default.isExecutableFile(atPath: path)
        && (try? run(path, ["-c", "import numpy, safetensors"]))?.status == 0
    }
  }()

  static func run(_ executable: String, _ arguments: [String]) throws -> (
    status: Int32, out: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self))
  }

  @Test(
    .enabled(
      if: python != nil,
      "no Python with numpy and safetensors (run Benchmarks/peers/setup.sh or set EXPUNGE_PYTHON)"))
  func referenceReaderLoadsOurFileAndWeLoadItsFile() throws {
    let python = try #require(Self.python)
    let dir = Self.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    var buffer = ParameterBuffer(layout: [
      (name: "bias", shape: [3]), (name: "weight", shape: [3, 2]),
    ])
    buffer.values = [0.5, -0.25] + Self.awkward.filter { !$0.isNaN }.prefix(7)
    let ours = dir.appendingPathComponent("ours.safetensors")
    try Safetensors.write(buffer, metadata: ["format": "expunge-model"], to: ours)
    let theirs = dir.appendingPathComponent("theirs.safetensors")
    let script = """
      import json, sys, numpy as np
      from safetensors import safe_open
      from safetensors.numpy import load_file, save_file
      t = load_file(sys.argv[1])
      with safe_open(sys.argv[1], "np") as f: meta = f.metadata()
      out = {k: {"shape": list(v.shape), "dtype": str(v.dtype),
                 "bits": v.view(np.uint32).ravel().tolist()} for k, v in t.items()}
      out["__metadata__"] = meta
      print(json.dumps(out))
      save_file({"f64": np.array([[1.5, -2.0]], dtype=np.float64),
                 "i64": np.array([7, -3, 0], dtype=np.int64),
                 "u8": np.array([255, 0], dtype=np.uint8)}, sys.argv[2], metadata={"by": "python"})
      """
    let result = try Self.run(python, ["-c", script, ours.path, theirs.path])
    #expect(result.status == 0)
    let parsed = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
    let weight = try #require(parsed?["weight"] as? [String: Any])
    #expect(weight["shape"] as? [Int] == [3, 2])
    #expect(weight["dtype"] as? String == "float32")
    #expect(weight["bits"] as? [UInt32] == buffer["weight"].map(\.bitPattern))
    #expect(
      (parsed?["bias"] as? [String: Any])?["bits"] as? [UInt32] == buffer["bias"].map(\.bitPattern))
    #expect(parsed?["__metadata__"] as? [String: String] == ["format": "expunge-model"])

    let (read, metadata, doubles) = try Safetensors.read(from: theirs)
    #expect(metadata == ["by": "python"])
    #expect(doubles["f64"] == [1.5, -2.0])
    #expect(read["f64"] == [1.5, -2.0] && read.view("f64").shape == [1, 2])
    #expect(read["i64"] == [7, -3, 0])
    #expect(read["u8"] == [255, 0])
  }
}
