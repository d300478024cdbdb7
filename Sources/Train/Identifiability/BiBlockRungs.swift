import Foundation

/// The identifiability rungs of a latent of O interchangeable objects, each with m0 scalars and m1 vectors (D = m0 +
/// 3 m1), stored object after object (object o's scalars, then its vectors copy by copy): R^{O D} = R^O (x) R^D.
///
/// Under SO(3) alone the isotypic blocks are all objects' scalars and all objects' vectors; under S_O x SO(3) the
/// orthogonal Helmert basis on the object axis (row 0 the mean, the trivial irrep of S_O; rows 1..O-1 the standard
/// irrep) splits each into two, four blocks: 1 (x) 0 (m0 copies of dimension 1), 1 (x) 1 (m1 of 3), std (x) 0 (m0 of
/// O - 1), std (x) 1 (m1 of 3 (O - 1)). At O = 1 the standard irrep is empty and nothing is refined.
public struct BiBlockRungs: Sendable {
    public var objects: Int
    public var scalars: Int
    public var vectors: Int

    public init(objects: Int, scalars: Int, vectors: Int) {
        precondition(objects >= 1 && scalars >= 1 && vectors >= 1, "BiBlockRungs: need O, m0, m1 >= 1")
        self.objects = objects; self.scalars = scalars; self.vectors = vectors
    }

    public var objectWidth: Int { scalars + 3 * vectors }
    public var dimension: Int { objects * objectWidth }

    /// SO(3)'s layout: O m0 scalars, O m1 vectors.
    public var rotationLayout: IsotypicLayout {
        IsotypicLayout([.init(irrepDimension: 1, copies: objects * scalars), .init(irrepDimension: 3, copies: objects * vectors)])
    }

    /// S_O x SO(3)'s layout in the Helmert basis (empty blocks dropped).
    public var productLayout: IsotypicLayout {
        IsotypicLayout(
            [
                .init(irrepDimension: 1, copies: scalars), .init(irrepDimension: 3, copies: vectors),
                .init(irrepDimension: objects - 1, copies: scalars), .init(irrepDimension: 3 * (objects - 1), copies: vectors),
            ].filter { $0.irrepDimension > 0 })
    }

    /// The permutation from object-major coordinates to `rotationLayout`'s (rows: new coordinates).
    public var rotationBasis: [[Double]] {
        var b = zeros(dimension)
        let d = objectWidth
        for o in 0..<objects {
            for j in 0..<scalars { b[o * scalars + j][o * d + j] = 1 }
            for c in 0..<vectors { for k in 0..<3 { b[objects * scalars + (o * vectors + c) * 3 + k][o * d + scalars + 3 * c + k] = 1 } }
        }
        return b
    }

    /// (H (x) I_D) followed by the reordering into `productLayout`'s blocks (rows: new coordinates).
    public var productBasis: [[Double]] {
        let h = HelmertBasis.matrix(objects), d = objectWidth, std = objects - 1
        var b = zeros(dimension)
        // Where Helmert row r's local coordinate j goes.
        func target(_ r: Int, _ j: Int) -> Int {
            let (isScalar, c, k) = j < scalars ? (true, j, 0) : (false, (j - scalars) / 3, (j - scalars) % 3)
            if r == 0 { return isScalar ? c : scalars + 3 * c + k }
            let offset = scalars + 3 * vectors
            if isScalar { return offset + c * std + (r - 1) }
            return offset + scalars * std + c * 3 * std + (r - 1) * 3 + k
        }
        for r in 0..<objects {
            for j in 0..<d {
                for o in 0..<objects { b[target(r, j)][o * d + j] = h[r][o] }
            }
        }
        return b
    }

    /// The candidate gauges, coarsest first: O(n), SO(3)'s block stabiliser, the bi-block stabiliser, SO(3)'s
    /// commutant, S_O x SO(3)'s commutant, the identity.
    public var rungs: [GaugeRung] {
        let rotation = rotationLayout, product = productLayout
        return [
            GaugeRung(.orthogonal(dimension)),
            GaugeRung(rotation.stabiliserGroup(name: "SO(3) blocks"), basis: rotationBasis),
            GaugeRung(product.stabiliserGroup(name: "bi-blocks"), basis: productBasis),
            GaugeRung(rotation.commutantGroup(name: "SO(3) commutant"), basis: rotationBasis),
            GaugeRung(product.commutantGroup(name: "S_O x SO(3) commutant"), basis: productBasis),
            GaugeRung(.identity(dimension)),
        ]
    }

    func zeros(_ n: Int) -> [[Double]] { [[Double]](repeating: [Double](repeating: 0, count: n), count: n) }
}

extension BiBlockExperiment {
    /// The gauge dimension of every rung but the identity, coarsest first.
    public static func rungDimensions(objects: Int, scalars: Int, vectors: Int) -> [(name: String, dimension: Int)] {
        BiBlockRungs(objects: objects, scalars: scalars, vectors: vectors).rungs.dropLast().map { ($0.group.name, $0.group.gaugeDimension) }
    }
}
