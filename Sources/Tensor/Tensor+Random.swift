import Numerics
@_exported import Seeded

extension Tensor {
    /// Independent N(mean, std^2) elements.
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, std: Scalar = 1, using rng: inout Xoshiro256) -> Tensor {
        let n = shape.reduce(1, *)
        var a = [Scalar]()
        a.reserveCapacity(n)
        for _ in 0..<n { a.append(mean + std * Scalar(rng.nextNormal())) }
        return Tensor(unchecked: shape, a)
    }

    /// Independent uniform elements in [low, high).
    public static func randomUniform(_ shape: [Int], low: Scalar, high: Scalar, using rng: inout Xoshiro256) -> Tensor {
        let n = shape.reduce(1, *)
        var a = [Scalar]()
        a.reserveCapacity(n)
        for _ in 0..<n { a.append(low + (high - low) * Scalar(rng.nextUnit())) }
        return Tensor(unchecked: shape, a)
    }
}
