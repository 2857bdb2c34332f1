import ExpungeData
import ExpungeStore

extension StoreRefusal {
  /// The refusal in the command line's words: the flags that caused it and the ones that
  /// get past it.
  var commandLineWording: String {
    switch self {
    case .permanentRows(let first, let count):
      let list =
        first.map(\.description).joined(separator: ", ") + (count > first.count ? ", …" : "")
      let rows =
        count == 1
        ? "id \(list) is a permanent row (train --permanent-ids): the store's base was trained on it"
        : "\(count) ids are permanent rows (\(list)) (train --permanent-ids): the store's base was trained on them"
      return rows
        + " and every shard starts from the base, so only retraining everything can forget; use --method retrain"
    case .everyPermanentRow:
      return description + "; train a new store without --permanent-ids"
    case .correctsPermanentRows(let id):
      return id.map {
        "id \($0) is a permanent row (train --permanent-ids): the store's base was trained on it, and this store cannot correct permanent rows"
      }
        ?? "--zero-columns changes every row, the permanent rows the store's base was trained on too; this store cannot correct them"
    case .methodDoesNotApply(let method, let kind, let reason):
      switch method {
      case "newton":
        return
          "--method newton needs a model trained with --certified (logistic or softmax) or a ridge model; this store's model is \(kind), so a Newton step would carry no guarantee. Use --method sisa or --method retrain"
      case "influence":
        return
          "--method influence updates logistic, softmax and MLP models; this store's model is \(kind). Use --method sisa or --method retrain"
      default:
        return "--method \(method) does not apply to this store's \(kind) model: \(reason)"
      }
    case .methodNeedsOneSlice(let method, let slices):
      return
        "--method \(method) updates whole shard models, but this store trains each shard in \(slices) slices whose checkpoints the update cannot follow; use --method sisa"
    case .methodOverBase(let method):
      return
        "--method \(method) updates shard models in place, but this store's shards build on a base trained on permanent rows (train --permanent-ids); use --method sisa or --method retrain"
    case .methodWithStandardization(let method):
      return
        "--method \(method) updates shard models in place, but this store standardizes each shard with its own rows' statistics, which change with the rows; use --method sisa or --method retrain"
    case .correctionOnlyMethod(let method):
      return
        "--method \(method) corrects rows (--relabel, --zero-features, --zero-columns); to remove rows use sisa, retrain or newton"
    case .removalOnlyMethod(let method):
      return
        "--method \(method) removes rows; to correct them use --method influence, sisa or retrain"
    case .invalidChanges(let error):
      return error.commandLineWording
    default:
      return description
    }
  }
}

extension RowChangeError {
  /// The error naming the option and item that caused it: `--relabel 3:7: …`.
  var commandLineWording: String {
    switch self {
    case .noSuchClass(let id, let label, let k):
      return "--relabel \(id):\(label): class \(label) does not exist (classes are 0…\(k - 1))"
    case .twoLabels(let id, let first, let second):
      return "--relabel: id \(id) is given two labels, \(first) and \(second)"
    case .noSuchFeature(let id, let feature, let d):
      return
        "--zero-features \(id):\(feature): feature \(feature) does not exist (features are 0…\(d - 1))"
    case .noSuchColumn(let feature, let d):
      return "--zero-columns: feature \(feature) does not exist (features are 0…\(d - 1))"
    }
  }
}
