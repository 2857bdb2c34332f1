#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// libm entry points under names that do not clash with the generic methods around them.
@inlinable func _log(_ x: Double) -> Double { log(x) }
@inlinable func _cos(_ x: Double) -> Double { cos(x) }

/// σ(z) = 1 / (1 + e^{−z}), without overflow for either sign.
@inlinable public func sigmoid(_ z: Double) -> Double {
  z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}

/// log(1 + e^z), without overflow.
@inlinable public func softplus(_ z: Double) -> Double {
  z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
}
