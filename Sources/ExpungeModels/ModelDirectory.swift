import ExpungeCore
import ExpungeData
import Foundation

/// A saved model: a directory holding `config.json` (family, hyperparameters, shapes,
/// provenance) and `weights.safetensors` (every parameter, plus the standardizer's
/// `preprocess.mean` and `preprocess.scale` when there is one).
///
/// Inputs reach the model as `(x − preprocess.mean) / preprocess.scale`: `preprocess.scale`
/// is the training rows' standard deviation, a divisor. A data-independent `--scale` is
/// applied before that, as `config.json`'s `metadata.featureScaling` says:
/// `(x − subtract) · multiplyBy`.
///
/// Each file is replaced atomically, weights first, so a crash leaves either the old model
/// or the new weights beside the old config — which `load` detects as a layout mismatch
/// rather than silently mixing them when shapes differ.
public enum ModelDirectory {
  public static let formatName = "expunge-model"
  public static let formatVersion = 1
  static let configFile = "config.json"
  static let weightsFile = "weights.safetensors"
  static let meanTensor = "preprocess.mean"
  static let scaleTensor = "preprocess.scale"

  /// The contents of `config.json`.
  struct Config: Codable {
    var model: ModelConfiguration
    var featureCount: Int
    var classCount: Int
    var metadata: ModelMetadata
  }

  /// Whether `directory` holds a saved model (its `config.json`).
  public static func holdsModel(_ directory: URL) -> Bool {
    FileManager.default.fileExists(atPath: directory.appendingPathComponent(configFile).path)
  }

  /// Throws unless `directory` can receive a model: it does not exist (its parent does or can
  /// be created), or it is an empty directory, or it already holds a model. Call it before
  /// long work so a typo in `--out` fails first.
  public static func checkWritable(_ directory: URL) throws {
    var isDirectory: ObjCBool = false
    let fm = FileManager.default
    guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else {
      throw ModelError.io(path: directory.path, reason: "exists and is not a directory")
    }
    let contents = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
    if !contents.isEmpty && !contents.contains(configFile) {
      throw ModelError.io(
        path: directory.path,
        reason: "exists, is not empty and holds no model; choose another --out or remove it")
    }
  }

  /// Saves `model` (and the standardizer its inputs need, if any) into `directory`.
  public static func save(
    _ model: any Classifier, standardizer: Standardizer? = nil, metadata: ModelMetadata,
    to directory: URL
  ) throws {
    try checkWritable(directory)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw ModelError.io(path: directory.path, reason: "cannot create the directory")
    }
    var layout = model.parameters.views.map { (name: $0.name, shape: $0.shape) }
    if let standardizer {
      precondition(
        standardizer.featureCount == model.featureCount,
        "standardizer width differs from the model's")
      layout += [
        (name: meanTensor, shape: [standardizer.featureCount]),
        (name: scaleTensor, shape: [standardizer.featureCount]),
      ]
    }
    var tensors = ParameterBuffer(layout: layout)
    for view in model.parameters.views { tensors[view.name] = model.parameters[view.name] }
    if let standardizer {
      tensors[meanTensor] = standardizer.mean
      tensors[scaleTensor] = standardizer.scale
    }
    try Safetensors.write(
      tensors, metadata: ["format": formatName, "model": model.kind.rawValue],
      doubles: (model as? DoublePrecisionParameters)?.doubleParameters ?? [:],
      to: directory.appendingPathComponent(weightsFile))
    let config = Config(
      model: model.configuration, featureCount: model.featureCount, classCount: model.classCount,
      metadata: metadata)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try AtomicFile.write(
      try encoder.encode(config), to: directory.appendingPathComponent(configFile))
  }

  /// Reads a model directory. Use `SavedModel.instantiate()` to get the classifier.
  public static func load(from directory: URL) throws -> SavedModel {
    let config = try readConfig(directory)
    let weightsURL = directory.appendingPathComponent(weightsFile)
    let tensors: ParameterBuffer
    let doubles: [String: [Double]]
    do {
      (tensors, _, doubles) = try Safetensors.read(from: weightsURL)
    } catch let error as Safetensors.FormatError {
      throw ModelError.io(path: weightsURL.path, reason: error.reason)
    }
    var standardizer: Standardizer?
    let names = Set(tensors.views.map(\.name))
    if names.contains(meanTensor) && names.contains(scaleTensor) {
      standardizer = Standardizer(mean: tensors[meanTensor], scale: tensors[scaleTensor])
    }
    let parameterViews = tensors.views.filter { $0.name != meanTensor && $0.name != scaleTensor }
    var parameters = ParameterBuffer(
      layout: parameterViews.map { (name: $0.name, shape: $0.shape) })
    for view in parameterViews { parameters[view.name] = tensors[view.name] }
    return SavedModel(
      configuration: config.model, featureCount: config.featureCount, classCount: config.classCount,
      parameters: parameters, doubleParameters: doubles, standardizer: standardizer,
      metadata: config.metadata, directory: directory)
  }

  /// The metadata of the model in `directory`, without reading its weights.
  public static func metadata(of directory: URL) throws -> ModelMetadata {
    try readConfig(directory).metadata
  }

  /// `config.json`, checked to be a format this Expunge reads.
  private static func readConfig(_ directory: URL) throws -> Config {
    let configURL = directory.appendingPathComponent(configFile)
    guard FileManager.default.fileExists(atPath: configURL.path) else {
      throw ModelError.io(path: directory.path, reason: "not a model directory (no \(configFile))")
    }
    let config: Config
    do {
      config = try JSONDecoder().decode(Config.self, from: Data(contentsOf: configURL))
    } catch let error as DecodingError {
      throw ModelError.io(path: configURL.path, reason: describe(error))
    } catch {
      throw ModelError.io(path: configURL.path, reason: "cannot read the file")
    }
    guard config.metadata.format == formatName, config.metadata.formatVersion <= formatVersion
    else {
      throw ModelError.io(
        path: configURL.path,
        reason:
          "format \(config.metadata.format) v\(config.metadata.formatVersion) is not one this Expunge reads (\(formatName) v≤\(formatVersion))"
      )
    }
    return config
  }

  private static func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
      context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(
        separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
      let at = path(context)
      return "missing key '\(at.isEmpty ? "" : at + ".")\(key.stringValue)'"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
      return "wrong type at '\(path(context))'"
    case .dataCorrupted(let context):
      return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at '\(path(context))'"
    @unknown default:
      return "cannot decode"
    }
  }
}

/// A model whose parameters live in double precision: `ModelDirectory` saves these tensors
/// as F64 and gives them back exactly (`parameters` holds their Float rounding for code that
/// reads every model alike).
public protocol DoublePrecisionParameters {
  /// Tensor name → values, laid out like the tensor of that name in `parameters`.
  var doubleParameters: [String: [Double]] { get }
}

/// A model directory's contents, before the classifier is rebuilt.
public struct SavedModel: Sendable {
  public var configuration: ModelConfiguration
  public var featureCount: Int
  public var classCount: Int
  public var parameters: ParameterBuffer
  /// Tensors stored in double precision (F64), exactly: a certified model's weights.
  public var doubleParameters: [String: [Double]] = [:]
  /// The standardizer to apply to inputs, if training used one.
  public var standardizer: Standardizer?
  public var metadata: ModelMetadata
  /// Where it was read from.
  public var directory: URL

  /// Rebuilds the fitted classifier; throws `ModelError.layoutMismatch` if the weights do not
  /// fit the configuration.
  public func instantiate() throws -> any Classifier {
    let type: any Classifier.Type
    switch configuration {
    case .logistic: type = LogisticRegression.self
    case .softmax: type = SoftmaxRegression.self
    case .ridge: type = RidgeClassifier.self
    case .mlp: type = MLP.self
    case .cnn: type = CNN.self
    case .certifiedLogistic:
      if case .certifiedLogistic(let config) = configuration,
        let weights = doubleParameters["weight"]
      {
        return try CertifiedLogisticRegression(
          config: config, featureCount: featureCount, classCount: classCount, flatWeights: weights)
      }
      type = CertifiedLogisticRegression.self
    }
    return try type.init(
      configuration: configuration, featureCount: featureCount, classCount: classCount,
      parameters: parameters)
  }
}
