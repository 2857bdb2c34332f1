import ExpungeData

extension LedgerRequest {
  /// The request's ids as the rest of the API speaks them (`ids` holds their raw values, as
  /// the ledger and `expunge log --json` do).
  public var sampleIDs: [SampleID] { ids.map(SampleID.init(rawValue:)) }
}
