import Foundation

/// A rigid object of the 3D worlds: a solid of uniform density made of boxes (its mass properties),
/// a cluster of equal spheres that fills it (its collision model: spheres have no preferred axes), and a
/// small fixed cloud of keypoints (what observations show). Body frame: origin at the centre of mass.
/// Metres and kilograms; every shape has mass 1.
public struct RigidShape3D: Sendable, Equatable {
    /// The built-in shapes.
    public enum Kind: String, CaseIterable, Sendable, Codable {
        /// A 3D T: a 0.48 x 0.12 x 0.12 bar and a 0.12 x 0.36 x 0.12 stem (PushT's T at 1 m = 256 px, extruded).
        case t
        /// A 0.30 x 0.20 x 0.12 cuboid.
        case box
        /// An L: a 0.36-long arm and a 0.18-long arm, 0.12 thick.
        case l
        /// Three orthogonal arms of different lengths from a corner cube: chiral, no symmetry at all.
        case tripod
    }

    public let name: String
    /// Collision sphere centres, body frame.
    public let centers: [Vec3]
    /// Radius of every collision sphere.
    public let sphereRadius: Double
    public let mass: Double
    /// Inertia tensor about the centre of mass, body frame.
    public let inertia: Mat3
    public let inverseInertia: Mat3
    /// max |centre| + radius: no part of the object is farther from its centre of mass.
    public let boundingRadius: Double
    /// The observation cloud, body frame: `keypointCount` of the sphere centres by farthest-point sampling.
    public let keypoints: [Vec3]

    /// Sphere radius and the largest lattice spacing of the built-in shapes.
    public static let defaultSphereRadius = 0.04
    public static let defaultSpacing = 0.05
    public static let defaultKeypointCount = 16

    public static func make(_ kind: Kind, keypointCount: Int = defaultKeypointCount) -> RigidShape3D {
        typealias B = (min: Vec3, max: Vec3)
        let boxes: [B]
        switch kind {
        case .t:
            boxes = [(Vec3(-0.24, 0, -0.06), Vec3(0.24, 0.12, 0.06)), (Vec3(-0.06, 0.12, -0.06), Vec3(0.06, 0.48, 0.06))]
        case .box:
            boxes = [(Vec3(-0.15, -0.10, -0.06), Vec3(0.15, 0.10, 0.06))]
        case .l:
            boxes = [(Vec3(0, 0, -0.06), Vec3(0.36, 0.12, 0.06)), (Vec3(0, 0.12, -0.06), Vec3(0.12, 0.30, 0.06))]
        case .tripod:
            boxes = [
                (Vec3(0, 0, 0), Vec3(0.12, 0.12, 0.12)), (Vec3(0.12, 0, 0), Vec3(0.36, 0.12, 0.12)),
                (Vec3(0, 0.12, 0), Vec3(0.12, 0.28, 0.12)), (Vec3(0, 0, 0.12), Vec3(0.12, 0.12, 0.20)),
            ]
        }
        return RigidShape3D(
            name: kind.rawValue, boxes: boxes, sphereRadius: defaultSphereRadius,
            maxSpacing: defaultSpacing, keypointCount: keypointCount)
    }

    /// A solid union of non-overlapping boxes (`min`/`max` corners), mass 1, filled with spheres of radius
    /// `sphereRadius` on a per-box lattice no coarser than `maxSpacing` (only the lattice's outer layer is
    /// kept: inner spheres never touch anything).
    public init(name: String, boxes: [(min: Vec3, max: Vec3)], sphereRadius: Double, maxSpacing: Double, keypointCount: Int) {
        precondition(!boxes.isEmpty && sphereRadius > 0 && maxSpacing > 0 && keypointCount > 0, "RigidShape3D: bad parameters")
        self.name = name
        self.sphereRadius = sphereRadius
        mass = 1
        // Mass properties of the solid, by volume.
        let volumes = boxes.map { b -> Double in
            let d = b.max - b.min; return d.x * d.y * d.z
        }
        let total = volumes.reduce(0, +)
        var com = Vec3.zero
        for (b, v) in zip(boxes, volumes) { com += ((b.min + b.max) * 0.5) * (v / total) }
        var inertia = Mat3.zero
        for (b, v) in zip(boxes, volumes) {
            let m = v / total, d = b.max - b.min, c = (b.min + b.max) * 0.5 - com
            let own = Mat3.diagonal(m / 12 * (d.y * d.y + d.z * d.z), m / 12 * (d.x * d.x + d.z * d.z), m / 12 * (d.x * d.x + d.y * d.y))
            // Parallel axes: m (|c|^2 I - c c^T).
            let shift = Mat3(
                c.y * c.y + c.z * c.z, -c.x * c.y, -c.x * c.z,
                -c.x * c.y, c.x * c.x + c.z * c.z, -c.y * c.z,
                -c.x * c.z, -c.y * c.z, c.x * c.x + c.y * c.y)
            inertia = inertia + own + m * shift
        }
        self.inertia = inertia
        inverseInertia = inertia.inverse
        // The sphere lattice, outer layer of each box, duplicates (shared faces) dropped.
        var centers: [Vec3] = []
        func ticks(_ lo: Double, _ hi: Double) -> [Double] {
            let a = lo + sphereRadius, b = hi - sphereRadius
            if b <= a { return [(lo + hi) / 2] }
            let n = Int((((b - a) / maxSpacing) - 1e-9).rounded(.up))
            return (0...n).map { a + (b - a) * Double($0) / Double(n) }
        }
        for b in boxes {
            let xs = ticks(b.min.x, b.max.x), ys = ticks(b.min.y, b.max.y), zs = ticks(b.min.z, b.max.z)
            for (i, x) in xs.enumerated() {
                for (j, y) in ys.enumerated() {
                    for (k, z) in zs.enumerated() {
                        let outer = i == 0 || i == xs.count - 1 || j == 0 || j == ys.count - 1 || k == 0 || k == zs.count - 1
                        let p = Vec3(x, y, z) - com
                        if outer && !centers.contains(where: { ($0 - p).length < 1e-9 }) { centers.append(p) }
                    }
                }
            }
        }
        self.centers = centers
        boundingRadius = centers.map(\.length).max()! + sphereRadius
        keypoints = Self.farthestPoints(centers, count: min(keypointCount, centers.count))
    }

    public static func == (a: RigidShape3D, b: RigidShape3D) -> Bool {
        a.name == b.name && a.centers == b.centers && a.sphereRadius == b.sphereRadius && a.keypoints == b.keypoints
    }

    /// Farthest-point sampling, starting from the point farthest from the origin (ties: lowest index).
    static func farthestPoints(_ points: [Vec3], count: Int) -> [Vec3] {
        var chosen: [Int] = []
        var best = 0
        for i in points.indices where points[i].length > points[best].length + 1e-12 { best = i }
        var distance = Array(repeating: Double.infinity, count: points.count)
        while chosen.count < count {
            chosen.append(best)
            for i in points.indices { distance[i] = min(distance[i], (points[i] - points[best]).length) }
            best = 0
            for i in points.indices where distance[i] > distance[best] + 1e-12 { best = i }
        }
        return chosen.map { points[$0] }
    }
}
