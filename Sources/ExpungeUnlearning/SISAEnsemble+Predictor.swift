import ExpungeModels

/// A SISA ensemble predicts like any classifier: `predict`, `accuracy` and the audit take it.
extension SISAEnsemble: Predictor {}
