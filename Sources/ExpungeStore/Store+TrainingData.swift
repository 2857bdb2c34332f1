import ExpungeData
import Foundation

/// The settings key of the `TrainingDataRecord`; stores made before it have none.
let trainingDataSetting = "training_data"

extension Store {
  /// How the store's training rows were read, or nil for a store made before stores recorded
  /// it.
  public func trainingData() throws -> TrainingDataRecord? {
    guard let text = try ledger.setting(trainingDataSetting) else { return nil }
    do {
      return try JSONDecoder().decode(TrainingDataRecord.self, from: Data(text.utf8))
    } catch {
      throw StoreError.corrupt(
        path: layout.ledger.path, reason: "the training data record cannot be read")
    }
  }

  /// Compares `data` (read as training read it, with the same class selection and backdoor)
  /// with the rows the ledger says the store trained on, by id and row hash.
  ///
  /// A row a correction request changed is expected to differ from the file, and is not
  /// counted as changed; after a request that changed whole columns, only the ids are
  /// compared.
  /// - Complexity: O(n·d) to hash `data`'s rows, plus one pass over the ledger's samples.
  public func compareRows(_ data: Dataset) throws -> TrainingRowComparison {
    var corrected = Set<SampleID>()
    var everyRowCorrected = false
    for request in try ledger.requests() where request.completed != nil {
      guard let changes = request.changes?.changes else { continue }
      corrected.formUnion(changes.namedIDs)
      everyRowCorrected = everyRowCorrected || changes.touchesEveryRow
    }
    var trained: [SampleID: String] = [:]
    for row in try ledger.db.query("SELECT id, hash FROM samples") {
      trained[SampleID(UInt64(bitPattern: Int64(row[0].int!)))] = row[1].string ?? ""
    }
    let d = data.featureCount
    var changed: [SampleID] = []
    var added = 0
    var found = 0
    for (i, id) in data.ids.enumerated() {
      guard let hash = trained[id] else {
        added += 1
        continue
      }
      found += 1
      guard !everyRowCorrected, !corrected.contains(id), !hash.isEmpty else { continue }
      let features = data.features.storage[(i * d)..<((i + 1) * d)]
      if RowFile.rowHash(label: data.labels[i], features: features) != hash {
        changed.append(id)
      }
    }
    let present = Set(data.ids)
    let missing = found == trained.count ? [] : trained.keys.filter { !present.contains($0) }
    return TrainingRowComparison(
      missing: missing.sorted(), changed: changed.sorted(), added: added)
  }
}
