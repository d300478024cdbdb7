import Foundation

/// A quasi-static 3D rigid-body pushing simulator in Double whose step commutes with SE(3) to float
/// rounding: step(g.s, g.a) = g.step(s, a).
///
/// The world: rigid objects (`RigidShape3D`, sphere clusters) and one spherical pusher, in free space
/// (no gravity, no floor, no walls: any of them would single out axes). The pusher follows a target
/// under PD control, as PushT's agent (a = kP (target - p) - kV v). Objects keep no velocity between
/// substeps (PushT's damping 0): they move only while something pushes them.
///
/// One substep of length dt:
///  1. pusher: v += dt (kP (target - p) - kV v);
///  2. contacts at the current positions, in a fixed order that never depends on coordinates: pusher vs
///     each object's spheres (object, then sphere index), then each object pair a < b (sphere i, then j).
///     A contact is a sphere pair whose surfaces are closer than a margin; its normal is the
///     centre-to-centre direction, its point midway between the surfaces. The broad phase drops object
///     pairs whose bounding spheres (about the centres of mass: no axes) are farther apart than the
///     margin, with a safety slack; such pairs cannot have a contact, so the result equals brute force;
///  3. non-penetration impulses, `iterations` Jacobi sweeps with mass splitting (Tonge et al. 2012):
///     every contact's impulse change is computed from the same velocities with its bodies' masses
///     divided by their contact counts, then all are applied. Unlike Gauss-Seidel the result does not
///     depend on the contact order, so relabelling interchangeable objects permutes the outcome to float
///     rounding (the S_O part of the multi-object symmetry). Target normal velocity: -gap/dt for
///     separated spheres (speculative: approach no further than contact), beta (depth - slop)/dt when
///     overlapping;
///  4. integrate: p += v dt for the pusher and the objects, R <- exp([w dt]x) R, Gram-Schmidt on R's
///     columns (equivariant under left multiplication), then object velocities are zeroed.
/// Every operation is a dot, cross, norm or matrix product of world vectors, or a scalar function of
/// invariants, so rotating and translating the whole world commutes with a step to rounding.
public final class PointCloudPhysics3D {
    public struct Config: Equatable, Sendable {
        /// Substep length, s.
        public var dt = 0.01
        /// Substeps per control step (10 Hz control, as PushT).
        public var substeps = 10
        /// PD gains of the pusher (PushT's).
        public var kP = 100.0
        public var kV = 20.0
        /// Pusher sphere radius, m.
        public var pusherRadius = 0.06
        /// Jacobi sweeps per substep.
        public var iterations = 12
        /// Fraction of the overlap (beyond `slop`) removed per substep.
        public var baumgarte = 0.3
        /// Overlap left alone, m.
        public var slop = 0.0005
        /// Spheres closer than this (plus twice the pusher's travel per substep) get a speculative contact, m.
        public var contactMargin = 0.01
        /// Prune body pairs by bounding spheres. Results are identical without it (tests check this bit
        /// for bit); it only saves time.
        public var broadPhase = true
        public init() {}
    }

    private var core: Core

    public var config: Config { core.config }
    public var shapes: [RigidShape3D] { core.shapes }
    public var bodyCount: Int { core.bodyCount }
    // State of record.
    public var pusherPosition: Vec3 { core.pusherPosition }
    public var pusherVelocity: Vec3 { core.pusherVelocity }
    public var positions: [Vec3] { core.positions }
    public var rotations: [Mat3] { core.rotations }
    /// Contacts that carried an impulse, summed over the substeps of the last `step`.
    public var activeContactCount: Int { core.activeContactCount }

    public init(shapes: [RigidShape3D], config: Config = Config()) {
        core = Core(shapes: shapes, config: config)
    }

    // MARK: State

    /// Sets the whole state; rotations are re-orthonormalised (Gram-Schmidt, equivariant).
    public func setState(pusherPosition p: Vec3, pusherVelocity v: Vec3, positions x: [Vec3], rotations r: [Mat3]) {
        core.setState(pusherPosition: p, pusherVelocity: v, positions: x, rotations: r)
    }

    /// The state of record exactly as it is (no re-orthonormalisation), for undoing a step.
    public struct Snapshot: Sendable {
        fileprivate var pusherPosition, pusherVelocity: Vec3
        fileprivate var positions: [Vec3]
        fileprivate var rotations: [Mat3]
        fileprivate var activeContactCount: Int
    }

    public func snapshot() -> Snapshot {
        Snapshot(
            pusherPosition: core.pusherPosition, pusherVelocity: core.pusherVelocity, positions: core.positions, rotations: core.rotations,
            activeContactCount: core.activeContactCount)
    }

    public func restore(_ s: Snapshot) {
        precondition(s.positions.count == core.bodyCount, "restore: a snapshot of another world")
        core.pusherPosition = s.pusherPosition; core.pusherVelocity = s.pusherVelocity
        core.positions = s.positions; core.rotations = s.rotations
        core.activeContactCount = s.activeContactCount
    }

    /// Whether every number of the state of record (pusher position and velocity, poses) is finite.
    public var hasFiniteState: Bool {
        func finite(_ v: Vec3) -> Bool { v.x.isFinite && v.y.isFinite && v.z.isFinite }
        return finite(core.pusherPosition) && finite(core.pusherVelocity) && core.positions.allSatisfy(finite)
            && core.rotations.allSatisfy { finite($0.row0) && finite($0.row1) && finite($0.row2) }
    }

    /// A body's local points placed in the world at its current pose.
    public func worldPoints(_ local: [Vec3], body: Int) -> [Vec3] { core.worldPoints(local, body: body) }

    /// Every collision sphere centre in the world (body order, then sphere order).
    public var sphereCenters: [Vec3] { core.sphereCenters }

    // MARK: Stepping

    /// One control step: `substeps` substeps towards `target`.
    public func step(target: Vec3) { withCore { $0.step(target: target) } }

    public func substep(target: Vec3) { withCore { $0.substep(target: target) } }

    /// Runs `body` on the core moved out of the class (no copy of its buffers, no checked accesses inside).
    private func withCore(_ body: (inout Core) -> Void) {
        var c = Core.empty
        swap(&c, &core)
        body(&c)
        swap(&c, &core)
    }
}

extension PointCloudPhysics3D {
    /// The bodies, the state of record, the scratch buffers and the step itself: a struct, so that the step's many
    /// small updates are plain stores (on a class's stored properties each would be a dynamically checked exclusive
    /// access, which made a step 3-4x slower).
    fileprivate struct Core {
        /// A placeholder with no bodies, for moving the core out of the class.
        static let empty = Core(shapes: [], config: Config())

        let config: Config
        let shapes: [RigidShape3D]
        var bodyCount: Int { shapes.count }

        // Collision spheres of all bodies, struct of arrays: local centres, radii, body of each sphere.
        let firstSphere: [Int]
        let localX: [Double], localY: [Double], localZ: [Double], radius: [Double]
        let inverseMass: [Double]
        let inverseInertiaBody: [Mat3]
        let bound: [Double]

        // State of record.
        var pusherPosition = Vec3.zero
        var pusherVelocity = Vec3.zero
        var positions: [Vec3]
        var rotations: [Mat3]

        // Scratch, allocated once.
        var worldX: [Double], worldY: [Double], worldZ: [Double]
        var inverseInertiaWorld: [Mat3]
        var velocity: [Vec3], angularVelocity: [Vec3]
        var contactsPerBody: [Double]
        var contacts: [Contact] = []

        /// Contacts that carried an impulse, summed over the substeps of the last `step`.
        var activeContactCount = 0

        struct Contact {
            var a: Int32  // body index, -1 for the pusher
            var b: Int32  // body index
            var normal: Vec3  // from a to b
            var crossA: Vec3  // rA x n
            var crossB: Vec3  // rB x n
            var angularA: Vec3  // I_A^-1 (rA x n)
            var angularB: Vec3
            var target: Double  // least normal velocity (b relative to a along n)
            var impulse: Double
            var delta: Double
        }

        init(shapes: [RigidShape3D], config: Config) {
            self.config = config
            self.shapes = shapes
            var first = [0]
            var lx: [Double] = [], ly: [Double] = [], lz: [Double] = [], r: [Double] = []
            for s in shapes {
                for c in s.centers { lx.append(c.x); ly.append(c.y); lz.append(c.z); r.append(s.sphereRadius) }
                first.append(lx.count)
            }
            firstSphere = first
            localX = lx; localY = ly; localZ = lz; radius = r
            inverseMass = shapes.map { 1 / $0.mass }
            inverseInertiaBody = shapes.map(\.inverseInertia)
            bound = shapes.map(\.boundingRadius)
            positions = Array(repeating: .zero, count: shapes.count)
            rotations = Array(repeating: .identity, count: shapes.count)
            worldX = Array(repeating: 0, count: lx.count); worldY = worldX; worldZ = worldX
            inverseInertiaWorld = inverseInertiaBody
            velocity = Array(repeating: .zero, count: shapes.count)
            angularVelocity = velocity
            contactsPerBody = Array(repeating: 0, count: shapes.count)
            contacts.reserveCapacity(256)
        }

        /// Sets the whole state; rotations are re-orthonormalised (Gram-Schmidt, equivariant).
        mutating func setState(pusherPosition p: Vec3, pusherVelocity v: Vec3, positions x: [Vec3], rotations r: [Mat3]) {
            precondition(x.count == bodyCount && r.count == bodyCount, "setState: one pose per body")
            pusherPosition = p
            pusherVelocity = v
            positions = x
            rotations = r.map(\.orthonormalized)
            activeContactCount = 0
        }

        /// A body's local points placed in the world at its current pose.
        func worldPoints(_ local: [Vec3], body: Int) -> [Vec3] {
            let r = rotations[body], c = positions[body]
            return local.map { r * $0 + c }
        }

        /// Every collision sphere centre in the world (body order, then sphere order).
        var sphereCenters: [Vec3] {
            (0..<bodyCount).flatMap { worldPoints(shapes[$0].centers, body: $0) }
        }

        /// One control step: `substeps` substeps towards `target`.
        mutating func step(target: Vec3) {
            activeContactCount = 0
            for _ in 0..<config.substeps { substep(target: target) }
        }

        mutating func substep(target: Vec3) {
            let dt = config.dt
            pusherVelocity += dt * (config.kP * (target - pusherPosition) - config.kV * pusherVelocity)
            placeSpheres()
            findContacts()
            solveContacts()
            pusherPosition += dt * pusherVelocity
            for b in 0..<bodyCount {
                positions[b] += dt * velocity[b]
                let w = angularVelocity[b]
                if w != .zero { rotations[b] = (Mat3.rotation(vector: dt * w) * rotations[b]).orthonormalized }
                velocity[b] = .zero
                angularVelocity[b] = .zero
            }
        }

        /// World sphere centres and world inverse inertia tensors at the current poses.
        mutating func placeSpheres() {
            for b in 0..<bodyCount {
                let r = rotations[b], c = positions[b]
                inverseInertiaWorld[b] = r * inverseInertiaBody[b] * r.transpose
                for s in firstSphere[b]..<firstSphere[b + 1] {
                    let p = r * Vec3(localX[s], localY[s], localZ[s]) + c
                    worldX[s] = p.x; worldY[s] = p.y; worldZ[s] = p.z
                }
            }
        }

        mutating func findContacts() {
            contacts.removeAll(keepingCapacity: true)
            let dt = config.dt
            // Invariant margin: the pusher may travel |v| dt per substep, and pushed objects about as far.
            let margin = config.contactMargin + 2 * pusherVelocity.length * dt
            let slack = 1e-9
            let p = pusherPosition, rp = config.pusherRadius
            for b in 0..<bodyCount {
                guard !config.broadPhase || (positions[b] - p).length <= rp + bound[b] + margin + slack else { continue }
                for s in firstSphere[b]..<firstSphere[b + 1] {
                    let d = Vec3(worldX[s] - p.x, worldY[s] - p.y, worldZ[s] - p.z)
                    let dist = d.length
                    let gap = dist - rp - radius[s]
                    guard gap < margin, dist > 1e-12 else { continue }
                    let n = d * (1 / dist)
                    let point = p + (rp + 0.5 * gap) * n
                    addContact(a: -1, b: b, normal: n, point: point, gap: gap)
                }
            }
            guard bodyCount > 1 else { return }
            for a in 0..<(bodyCount - 1) {
                for b in (a + 1)..<bodyCount {
                    guard !config.broadPhase || (positions[b] - positions[a]).length <= bound[a] + bound[b] + margin + slack else { continue }
                    for i in firstSphere[a]..<firstSphere[a + 1] {
                        let xi = Vec3(worldX[i], worldY[i], worldZ[i])
                        for j in firstSphere[b]..<firstSphere[b + 1] {
                            let d = Vec3(worldX[j] - xi.x, worldY[j] - xi.y, worldZ[j] - xi.z)
                            let dist = d.length
                            let gap = dist - radius[i] - radius[j]
                            guard gap < margin, dist > 1e-12 else { continue }
                            let n = d * (1 / dist)
                            addContact(a: a, b: b, normal: n, point: xi + (radius[i] + 0.5 * gap) * n, gap: gap)
                        }
                    }
                }
            }
        }

        mutating func addContact(a: Int, b: Int, normal n: Vec3, point: Vec3, gap: Double) {
            let dt = config.dt
            let depth = -gap
            let target = depth > 0 ? config.baumgarte * max(depth - config.slop, 0) / dt : -gap / dt
            let crossB = (point - positions[b]).cross(n)
            let crossA = a >= 0 ? (point - positions[a]).cross(n) : .zero
            contacts.append(
                Contact(
                    a: Int32(a), b: Int32(b), normal: n, crossA: crossA, crossB: crossB,
                    angularA: a >= 0 ? inverseInertiaWorld[a] * crossA : .zero, angularB: inverseInertiaWorld[b] * crossB,
                    target: target, impulse: 0, delta: 0))
        }

        mutating func solveContacts() {
            let count = contacts.count
            guard count > 0 else { return }
            let vp = pusherVelocity
            // The contacts moved out while the loop updates the velocities (no overlapping access to self).
            var solving: [Contact] = []
            swap(&solving, &contacts)
            defer { swap(&solving, &contacts) }
            solving.withUnsafeMutableBufferPointer { cs in
                for _ in 0..<config.iterations {
                    // Normal velocities, and each body's count of contacts that push or would be violated.
                    for b in 0..<bodyCount { contactsPerBody[b] = 0 }
                    for k in 0..<count {
                        let c = cs[k]
                        let b = Int(c.b)
                        var vn = c.normal.dot(velocity[b]) + c.crossB.dot(angularVelocity[b])
                        if c.a >= 0 {
                            let a = Int(c.a)
                            vn -= c.normal.dot(velocity[a]) + c.crossA.dot(angularVelocity[a])
                        } else {
                            vn -= c.normal.dot(vp)
                        }
                        cs[k].delta = c.target - vn
                        if c.impulse > 0 || c.target > vn {
                            contactsPerBody[b] += 1
                            if c.a >= 0 { contactsPerBody[Int(c.a)] += 1 }
                        }
                    }
                    // Impulse changes with each body's mass split among those contacts.
                    for k in 0..<count {
                        let c = cs[k]
                        guard c.impulse > 0 || c.delta > 0 else { cs[k].delta = 0; continue }
                        let b = Int(c.b)
                        var inv = contactsPerBody[b] * (inverseMass[b] + c.crossB.dot(c.angularB))
                        if c.a >= 0 {
                            let a = Int(c.a)
                            inv += contactsPerBody[a] * (inverseMass[a] + c.crossA.dot(c.angularA))
                        }
                        let next = max(c.impulse + c.delta / inv, 0)
                        cs[k].delta = next - c.impulse
                        cs[k].impulse = next
                    }
                    // All applied at once: the result does not depend on the contact order (up to rounding).
                    for k in 0..<count {
                        let c = cs[k]
                        guard c.delta != 0 else { continue }
                        let b = Int(c.b)
                        velocity[b] += (c.delta * inverseMass[b]) * c.normal
                        angularVelocity[b] += c.delta * c.angularB
                        if c.a >= 0 {
                            let a = Int(c.a)
                            velocity[a] -= (c.delta * inverseMass[a]) * c.normal
                            angularVelocity[a] -= c.delta * c.angularA
                        }
                    }
                }
                for k in 0..<count where cs[k].impulse > 0 { activeContactCount += 1 }
            }
        }
    }
}
