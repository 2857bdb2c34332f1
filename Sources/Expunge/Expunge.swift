// The umbrella module: `import Expunge` gives a Swift user the whole library — matrices and
// seeded randomness, datasets and loaders, models, unlearning, the store, the audit. It only
// re-exports; each concept lives in its own module.
@_exported import ExpungeAudit
@_exported import ExpungeCore
@_exported import ExpungeData
@_exported import ExpungeModels
@_exported import ExpungeStore
@_exported import ExpungeUnlearning
