import ExpungeData
import ExpungeModels

/// Why a store refuses a request, with what the refusal is about; nothing has changed when
/// one is thrown. The descriptions are the library's; the command line words them with its
/// flags (`StoreRefusal+CommandLine.swift` in ExpungeCLI).
public enum StoreRefusal: Equatable, Sendable, CustomStringConvertible {
  /// A request that names no rows.
  case emptyRequest
  /// A correction request with no corrections.
  case noChanges
  /// Ids that are not training rows of the store (up to 10 of them, and how many in all).
  case unknownIDs(first: [SampleID], count: Int)
  /// Corrections that do not fit the store's data (a class or feature it does not have).
  case invalidChanges(RowChangeError)
  /// A correction of a row an earlier request forgot.
  case forgottenRow(id: SampleID, request: Int)
  /// Permanent rows named by a request that does not retrain everything (up to 10, and how
  /// many in all): the shared base was trained on them.
  case permanentRows(first: [SampleID], count: Int)
  /// A request naming every permanent row: the base would have nothing to train on.
  case everyPermanentRow
  /// A correction of a permanent row, or of every row (`id` nil), in a store over a base.
  case correctsPermanentRows(id: SampleID?)
  /// Permanent ids given at training that are not rows of the training data.
  case unknownPermanentIDs(first: [SampleID], count: Int)
  /// A class the store does not have.
  case noSuchClass(label: Int32, classCount: Int)
  /// A method that cannot update this store's model family, and why.
  case methodDoesNotApply(method: String, kind: ModelKind, reason: String)
  /// An update in place on shards trained in several slices.
  case methodNeedsOneSlice(method: String, slices: Int)
  /// An update in place on shards that build on a shared base.
  case methodOverBase(method: String)
  /// An update in place on shards that standardize with their own rows' statistics.
  case methodWithStandardization(method: String)
  /// A removal by a method that only corrects rows (`influence`).
  case correctionOnlyMethod(method: String)
  /// A correction by a method that only removes rows (`newton`, `finetune`, …).
  case removalOnlyMethod(method: String)
  /// A recorded request naming a method this Expunge does not know.
  case unknownRecordedMethod(request: Int, method: String)
  /// A model version the store never had (`current` is the newest).
  case noSuchVersion(path: String, version: Int, current: Int)
  /// A model version the store deleted when `request` replaced it.
  case versionDeleted(path: String, version: Int, request: Int?, current: Int)
  /// A shard the store does not have.
  case noSuchShard(shard: Int, shards: Int)
  /// `shard-train` on a store whose training is complete.
  case trainingFinished(path: String)

  /// "id 3", "12 ids (3, 5, …)".
  static func named(_ ids: [SampleID], count: Int) -> String {
    let list = ids.map(\.description).joined(separator: ", ") + (count > ids.count ? ", …" : "")
    return count == 1 ? "id \(list)" : "\(count) ids (\(list))"
  }

  public var description: String {
    switch self {
    case .emptyRequest: return "the request names no rows to forget"
    case .noChanges: return "the request names no changes"
    case .unknownIDs(let first, let count):
      let list = first.map(\.description).joined(separator: ", ")
      return count == 1
        ? "id \(list) is not a training row of this store"
        : "\(count) ids are not training rows of this store: \(list)\(count > first.count ? ", …" : "")"
    case .invalidChanges(let error): return error.description
    case .forgottenRow(let id, let request):
      return "id \(id) was forgotten by request \(request); it has nothing to correct"
    case .permanentRows(let first, let count):
      return
        "\(Self.named(first, count: count)) \(count == 1 ? "is a permanent row" : "are permanent rows"): the store's base was trained on \(count == 1 ? "it" : "them") and every shard starts from the base, so only retraining everything can forget \(count == 1 ? "it" : "them")"
    case .everyPermanentRow:
      return
        "the request names every permanent row, which would leave the store's base nothing to train on"
    case .correctsPermanentRows(let id):
      return id.map {
        "id \($0) is a permanent row: the store's base was trained on it, and this store cannot correct permanent rows"
      }
        ?? "the correction changes every row, the permanent rows the store's base was trained on too"
    case .unknownPermanentIDs(let first, let count):
      let list = first.map(\.description).joined(separator: ", ")
      return count == 1
        ? "permanent id \(list) is not a row of the training data"
        : "\(count) permanent ids are not rows of the training data: \(list)\(count > first.count ? ", …" : "")"
    case .noSuchClass(let label, let classCount):
      return "class \(label) does not exist (classes are 0…\(classCount - 1))"
    case .methodDoesNotApply(let method, let kind, let reason):
      return "method \(method) does not apply to this store's \(kind) model: \(reason)"
    case .methodNeedsOneSlice(let method, let slices):
      return
        "method \(method) updates whole shard models, but this store trains each shard in \(slices) slices whose checkpoints the update cannot follow"
    case .methodOverBase(let method):
      return
        "method \(method) updates shard models in place, but this store's shards build on a base trained on permanent rows"
    case .methodWithStandardization(let method):
      return
        "method \(method) updates shard models in place, but this store standardizes each shard with its own rows' statistics, which change with the rows"
    case .correctionOnlyMethod(let method):
      return "method \(method) corrects rows; it cannot remove them"
    case .removalOnlyMethod(let method):
      return "method \(method) removes rows; it cannot correct them"
    case .unknownRecordedMethod(let request, let method):
      return
        "request \(request) names the method '\(method)', which this Expunge does not know; nothing was done for it"
    case .noSuchVersion(let path, let version, let current):
      let known = current > 1 ? "versions 1…\(current), the current one \(current)" : "version 1"
      return "\(path): no version \(version); the store has \(known)"
    case .versionDeleted(let path, let version, let request, let current):
      let by = request.map { " when request \($0) made version \(version + 1)" } ?? ""
      return
        "\(path): version \(version) was deleted\(by); the store keeps only its current version, \(current)"
    case .noSuchShard(let shard, let shards):
      return "shard \(shard) does not exist (the store has shards 0…\(shards - 1))"
    case .trainingFinished(let path):
      return "\(path): training is finished; nothing to do"
    }
  }
}
