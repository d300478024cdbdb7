/// An element of S_O x SE(3): a relabelling of O interchangeable objects together with a rigid motion, the group of
/// push3d-multi. The two factors commute (relabelling moves nothing), so composition is componentwise. Permutations
/// follow `Push3DEnv.permute(objects:state:)`: object k of the relabelled world is object `permutation[k]`.
public struct PermutedTransform: GroupElement, Sendable, Equatable {
    /// Object k of the relabelled world is object `permutation[k]` of the original.
    public let permutation: [Int]
    public let transform: SE3Transform

    public init(permutation: [Int], transform: SE3Transform = .identity) {
        precondition(permutation.sorted() == Array(permutation.indices), "PermutedTransform: \(permutation) is not a permutation")
        self.permutation = permutation
        self.transform = transform
    }

    public static var spaceDimension: Int { 3 }

    public var isIdentity: Bool { transform.isIdentity && permutation == Array(permutation.indices) }

    public var inverse: PermutedTransform {
        var inv = permutation
        for (k, p) in permutation.enumerated() { inv[p] = k }
        return PermutedTransform(permutation: inv, transform: transform.inverse)
    }

    /// self * other: relabel by `other`, then by `self` (object k of the result is object other[self[k]]).
    public func composed(with other: PermutedTransform) -> PermutedTransform {
        precondition(permutation.count == other.permutation.count, "PermutedTransform: different object counts")
        return PermutedTransform(permutation: permutation.map { other.permutation[$0] }, transform: transform * other.transform)
    }

    public var orthogonalPart: [Double] { transform.orthogonalPart }
    public func apply(toPoints flat: [Double]) -> [Double] { transform.apply(toPoints: flat) }
    public func apply(toVectors flat: [Double]) -> [Double] { transform.apply(toVectors: flat) }
    public var label: String { permutation.map(String.init).joined(separator: "") + ":" + transform.label }
}
