import ExpungeCore

extension Dataset {
  /// Keeps `n` rows, the same fraction of every class (largest remainders get the spare rows),
  /// chosen by `seed`; kept rows stay in their original order.
  public func limited(to n: Int, seed: UInt64) throws -> Dataset {
    guard n <= count else {
      throw DataError.invalid("\(source): a limit of \(n) rows exceeds its \(count) rows")
    }
    guard n < count else { return self }
    var rng = SeededGenerator(seed: seed).derived("limit")
    return subset(stratifiedIndices(n, rng: &rng).sorted())
  }

  /// A stratified split: about `validationFraction` of every class goes to validation,
  /// chosen by `seed`; both parts keep the original row order.
  public func split(validationFraction: Double, seed: UInt64) throws -> (
    train: Dataset, validation: Dataset
  ) {
    precondition(
      validationFraction > 0 && validationFraction < 1, "validation fraction must be in (0, 1)")
    let size = Int((Double(count) * validationFraction).rounded())
    guard size >= 1 && size < count else {
      throw DataError.invalid(
        "\(source): \(count) rows are too few to hold out a fraction of \(validationFraction)")
    }
    var rng = SeededGenerator(seed: seed).derived("split")
    let validation = Set(stratifiedIndices(size, rng: &rng))
    let train = (0..<count).filter { !validation.contains($0) }
    return (subset(train), subset(validation.sorted()))
  }

  /// `n` row positions, the same fraction of every class (largest remainders get the spare
  /// rows), chosen by `rng`.
  private func stratifiedIndices(_ n: Int, rng: inout SeededGenerator) -> [Int] {
    let byClass = rowsByClass()
    let exact = byClass.map { Double($0.count) * Double(n) / Double(count) }
    var take = exact.map { Int($0) }
    let remainder = (0..<take.count).map { exact[$0] - Double(take[$0]) }
    // Largest remainders first; ties go to the lower class.
    let order = (0..<take.count).sorted { a, b in
      remainder[a] != remainder[b] ? remainder[a] > remainder[b] : a < b
    }
    for c in order.prefix(n - take.reduce(0, +)) { take[c] += 1 }
    var picked: [Int] = []
    for (c, rows) in byClass.enumerated() {
      var shuffled = rows
      rng.shuffle(&shuffled)
      picked += shuffled.prefix(take[c])
    }
    return picked
  }

  private func rowsByClass() -> [[Int]] {
    var rows = [[Int]](repeating: [], count: classCount)
    for (i, y) in labels.enumerated() { rows[Int(y)].append(i) }
    return rows
  }

  /// Keeps the rows of `classes` and relabels them `0..<classes.count` in the given order
  /// (e.g. `[0, 6]` makes Fashion-MNIST's T-shirt vs shirt a binary task).
  public func selectingClasses(_ classes: [Int32]) throws -> Dataset {
    for c in classes where c < 0 || Int(c) >= classCount {
      throw DataError.invalid(
        "\(source): class \(c) does not exist (classes are 0…\(classCount - 1))")
    }
    var newLabel = [Int32: Int32]()
    for (i, c) in classes.enumerated() { newLabel[c] = Int32(i) }
    let kept = labels.indices.filter { newLabel[labels[$0]] != nil }
    var out = subset(kept)
    out.labels = kept.map { newLabel[labels[$0]]! }
    out.classCount = classes.count
    return out
  }

  /// The dataset without the rows whose ids are in `ids`.
  public func removing(ids removed: Set<SampleID>) -> Dataset {
    subset(ids.indices.filter { !removed.contains(ids[$0]) })
  }

  /// Throws naming the first row id and column holding NaN or ±∞.
  public func validateFinite() throws {
    let d = featureCount
    let bad: Int? = features.storage.withUnsafeBufferPointer { x in
      for i in 0..<x.count where !x[i].isFinite { return i }
      return nil
    }
    if let bad {
      let value = features.storage[bad]
      throw DataError.invalid(
        "\(source): row with id \(ids[bad / d]) has \(value.isNaN ? "NaN" : "an infinity") in column \(bad % d + 1); features must be finite"
      )
    }
  }

  /// Throws `DataError.widthMismatch` unless rows have `expected` features.
  public func requireWidth(_ expected: Int, expectedBy: String) throws {
    guard featureCount == expected else {
      throw DataError.widthMismatch(
        source: source, found: featureCount, expected: expected, expectedBy: expectedBy)
    }
  }
}

extension Dataset {
  /// The rows of `self` followed by those of `other` (same width and classes).
  public func appending(_ other: Dataset) -> Dataset {
    precondition(featureCount == other.featureCount, "appending: widths differ")
    return Dataset(
      ids: ids + other.ids,
      features: Matrix(
        rows: count + other.count, cols: featureCount,
        storage: features.storage + other.features.storage),
      labels: labels + other.labels, classCount: max(classCount, other.classCount),
      featureNames: featureNames, source: source)
  }
}
