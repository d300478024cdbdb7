import CBox2D
import Foundation

/// PushT's physics: Box2D's collision pipeline, stepped in the reference's (Chipmunk 7's) order.
///
/// Box2D owns the shapes, the broad phase, contact management and the narrow phase (manifolds).
/// The state of record is in Double and the contact solve follows Chipmunk 7's `cpSpaceStep`, because
/// gym-pusht runs on pymunk and its dynamics depend on that order (see `shared/spec/pusht.md`):
///  1. integrate positions with the velocities (and bias velocities) of the previous solve;
///  2. collide at the new positions (Box2D, `cb2_collide`);
///  3. pre-step contacts: effective masses, bias = -(1 - collisionBias^dt) * min(0, dist + slop) / dt;
///  4. integrate velocities with damping^dt (damping 0: the block keeps no velocity memory);
///  5. warm start contacts that persist from the previous substep (scaled by dt / previous dt);
///  6. `iterations` sweeps of sequential impulses, normal and bias impulses accumulated separately.
/// Friction and elasticity are 0 on every shape, so no tangential or bounce terms survive.
///
/// For the `world` orbit build the walls are built rotated by `worldRotation` about the workspace
/// centre; the caller then works in that rotated world's coordinates.
public final class PushTPhysics {
    public struct Config: Equatable, Sendable {
        /// Box2D works in metres and is tuned for objects of 0.1-10 m: 20 px = 1 m puts the T at 6 m.
        public var pixelsPerMeter = 20.0
        /// Chipmunk's `iterations` (pymunk's default).
        public var iterations = 10
        /// Chipmunk's `collisionSlop`, px.
        public var collisionSlop = 0.1
        /// Chipmunk's `collisionBias`: the fraction of overlap left after one second, (1 - 0.1)^60.
        public var collisionBias = pow(0.9, 60.0)
        /// Space damping: the fraction of velocity kept after one second (0: none).
        public var damping = 0.0
        public init() {}
    }

    public let config: Config
    public let worldRotation: PlanarRotation

    private let world: OpaquePointer
    private var solver = Solver()

    // State of record (pixels, radians, seconds).
    public var agentPosition: Vec2 { solver.agentPosition }
    public internal(set) var agentVelocity: Vec2 {
        get { solver.agentVelocity }
        set { solver.agentVelocity = newValue }
    }
    /// The block's centre of gravity (Chipmunk's body `p`) and angle.
    public var blockCenter: Vec2 { solver.blockCenter }
    public var blockAngle: Double { solver.blockAngle }
    public var blockVelocity: Vec2 { solver.blockVelocity }
    public var blockAngularVelocity: Double { solver.blockAngularVelocity }
    /// Contact points solved since the counter was last reset.
    public var contactPointCount: Int {
        get { solver.contactPointCount }
        set { solver.contactPointCount = newValue }
    }

    public init(config: Config = Config(), worldRotation: PlanarRotation = PlanarRotation(angle: 0, center: PushTGeometry.workspaceCenter)) {
        self.config = config
        self.worldRotation = worldRotation
        world = cb2_world_create()
        solver.manifolds = Array(repeating: cb2_manifold(), count: 32)
        let s = 1 / config.pixelsPerMeter
        func f(_ v: Double) -> Float { Float(v * s) }
        let walls = cb2_add_body(world, CB2_STATIC, 0, 0, 0)
        for (a, b) in PushTGeometry.walls {
            // A segment of radius r as the box that covers it (the capsule's round ends become square:
            // the block only meets them in the workspace corners).
            let pa = worldRotation.apply(point: a), pb = worldRotation.apply(point: b)
            let u = (pb - pa) * (1 / (pb - pa).length), n = u.perp
            let r = PushTGeometry.wallRadius
            let corners = [pa - r * u - r * n, pb + r * u - r * n, pb + r * u + r * n, pa - r * u + r * n]
            let xy = corners.flatMap { [f($0.x), f($0.y)] }
            cb2_add_polygon(world, walls, xy, 4)
        }
        let agent = cb2_add_body(world, CB2_KINEMATIC, 0, 0, 0)
        cb2_add_circle(world, agent, 0, 0, f(PushTGeometry.agentRadius))
        let block = cb2_add_body(world, CB2_DYNAMIC, 0, 0, 0)
        for box in PushTGeometry.boxes {
            cb2_add_polygon(world, block, box.flatMap { [f($0.x), f($0.y)] }, Int32(box.count))
        }
        assert(walls == BodyIndex.walls && agent == BodyIndex.agent && block == BodyIndex.block)
        syncTransforms()
    }

    deinit { cb2_world_destroy(world) }

    // MARK: State

    /// The block's body origin (what the reference reports as its position).
    public var blockOrigin: Vec2 { solver.blockOrigin }
    public var blockPose: Pose { Pose(x: blockOrigin.x, y: blockOrigin.y, angle: blockAngle) }

    /// Forgets all motion and contact history, as a fresh pymunk space would.
    public func resetDynamics() {
        solver.agentVelocity = .zero
        solver.blockVelocity = .zero
        solver.blockAngularVelocity = 0
        solver.blockBiasVelocity = .zero
        solver.blockBiasAngularVelocity = 0
        solver.previousDt = 0
        solver.previousContacts.removeAll(keepingCapacity: true)
        solver.contactPointCount = 0
    }

    /// Whether every number of the state of record (positions, angle, velocities, bias velocities) is finite.
    public var hasFiniteState: Bool {
        let s = solver
        var sum = s.agentPosition.x + s.agentPosition.y + s.agentVelocity.x + s.agentVelocity.y + s.blockCenter.x + s.blockCenter.y
        sum += s.blockVelocity.x + s.blockVelocity.y + s.blockBiasVelocity.x + s.blockBiasVelocity.y + s.blockAngle
        sum += s.blockAngularVelocity + s.blockBiasAngularVelocity + s.blockRotation.cos + s.blockRotation.sin
        // A sum of finite numbers can overflow, so a non-finite sum is checked term by term.
        if sum.isFinite { return true }
        let terms = [
            s.agentPosition.x, s.agentPosition.y, s.agentVelocity.x, s.agentVelocity.y, s.blockCenter.x, s.blockCenter.y, s.blockVelocity.x,
            s.blockVelocity.y, s.blockBiasVelocity.x, s.blockBiasVelocity.y, s.blockAngle, s.blockAngularVelocity, s.blockBiasAngularVelocity,
            s.blockRotation.cos, s.blockRotation.sin,
        ]
        return terms.allSatisfy(\.isFinite)
    }

    public func setAgentPosition(_ p: Vec2) { solver.agentPosition = p; syncTransforms() }

    /// Everything that determines the future: positions, velocities, bias velocities and the contact
    /// history used for warm starting. Box2D's own contact list is only a cache of the narrow phase,
    /// which `cb2_collide` recomputes from the positions, so restoring this restores the world.
    public struct Snapshot: Sendable {
        fileprivate var agentPosition, agentVelocity, blockCenter, blockVelocity, blockBiasVelocity: Vec2
        fileprivate var blockAngle, blockAngularVelocity, blockBiasAngularVelocity, previousDt: Double
        fileprivate var blockRotation: (cos: Double, sin: Double)
        fileprivate var previousContacts: [(key: ContactKey, impulse: Double)]
        fileprivate var contactPointCount: Int
    }

    public func snapshot() -> Snapshot {
        let s = solver
        return Snapshot(
            agentPosition: s.agentPosition, agentVelocity: s.agentVelocity, blockCenter: s.blockCenter, blockVelocity: s.blockVelocity,
            blockBiasVelocity: s.blockBiasVelocity, blockAngle: s.blockAngle, blockAngularVelocity: s.blockAngularVelocity,
            blockBiasAngularVelocity: s.blockBiasAngularVelocity, previousDt: s.previousDt, blockRotation: s.blockRotation,
            previousContacts: s.previousContacts, contactPointCount: s.contactPointCount)
    }

    public func restore(_ s: Snapshot) {
        solver.agentPosition = s.agentPosition; solver.agentVelocity = s.agentVelocity; solver.blockCenter = s.blockCenter
        solver.blockVelocity = s.blockVelocity; solver.blockBiasVelocity = s.blockBiasVelocity; solver.blockAngle = s.blockAngle
        solver.blockAngularVelocity = s.blockAngularVelocity; solver.blockBiasAngularVelocity = s.blockBiasAngularVelocity
        solver.previousDt = s.previousDt; solver.blockRotation = s.blockRotation; solver.previousContacts = s.previousContacts
        solver.contactPointCount = s.contactPointCount
        syncTransforms()
    }

    /// pymunk's `body.position = ...`: moves the origin, keeping the angle.
    public func setBlockOrigin(_ origin: Vec2) {
        solver.blockCenter = origin + PushTGeometry.centerOfGravity.rotated(cos: solver.blockRotation.cos, sin: solver.blockRotation.sin)
        syncTransforms()
    }

    /// pymunk's `body.angle = ...`: rotates about the centre of gravity (the origin moves).
    public func setBlockAngle(_ angle: Double) {
        solver.blockAngle = angle
        solver.blockRotation = (cos(angle), sin(angle))
        syncTransforms()
    }

    // MARK: Stepping

    /// One control step: `substeps` times, PD control of the kinematic agent towards `target`, then one substep.
    public func step(target: Vec2) {
        withSolver { s in
            for _ in 0..<PushTGeometry.substeps {
                let acceleration = PushTGeometry.kP * (target - s.agentPosition) + PushTGeometry.kV * (Vec2.zero - s.agentVelocity)
                s.agentVelocity += acceleration * PushTGeometry.dt
                s.substep(dt: PushTGeometry.dt, world: world, config: config)
            }
        }
    }

    /// One physics substep in Chipmunk 7's order (see the type's documentation).
    public func substep(dt: Double) { withSolver { $0.substep(dt: dt, world: world, config: config) } }

    private func syncTransforms() { solver.syncTransforms(world: world, config: config) }

    /// Runs `body` on the solver moved out of the class (no copy of its buffers, no checked accesses inside).
    private func withSolver(_ body: (inout Solver) -> Void) {
        var s = Solver()
        swap(&s, &solver)
        body(&s)
        swap(&s, &solver)
    }
}

extension PushTPhysics {
    fileprivate struct PairKey: Equatable { var shapeA: Int32; var shapeB: Int32 }
    fileprivate struct ContactKey: Equatable { var pair: PairKey; var feature: UInt32 }

    fileprivate struct Contact {
        var bodyA: Int32, bodyB: Int32
        var key: ContactKey
        var warmStart: Bool
        var normal: Vec2
        var r1: Vec2, r2: Vec2
        var separation: Double
        var normalMass = 0.0
        var bias = 0.0
        var normalImpulse = 0.0
        var biasImpulse = 0.0
    }

    fileprivate enum BodyIndex { static let walls: Int32 = 0, agent: Int32 = 1, block: Int32 = 2 }

    /// The state of record and the contact solve's scratch buffers, with the solve itself: a struct, so that the
    /// solver's many small updates are plain stores. (On the class's stored properties every one of them would be a
    /// dynamically checked exclusive access, which cost about 30% of a step.)
    fileprivate struct Solver {
        // State of record (pixels, radians, seconds).
        var agentPosition = PushTGeometry.agentStart
        var agentVelocity = Vec2.zero
        /// The block's centre of gravity (Chipmunk's body `p`) and angle.
        var blockCenter = PushTGeometry.blockStart + PushTGeometry.centerOfGravity
        var blockAngle = 0.0
        var blockVelocity = Vec2.zero
        var blockAngularVelocity = 0.0
        var blockBiasVelocity = Vec2.zero
        var blockBiasAngularVelocity = 0.0
        var previousDt = 0.0
        /// Last substep's contacts (key and accumulated normal impulse), for warm starting. A handful at most,
        /// so a linear scan beats hashing.
        var previousContacts: [(key: ContactKey, impulse: Double)] = []
        /// cos and sin of `blockAngle`, refreshed whenever it changes.
        var blockRotation = (cos: 1.0, sin: 0.0)
        /// (1 - collisionBias^dt) and damping^dt for the last dt used.
        var coefficients = (dt: 0.0, bias: 0.0, damping: 0.0)
        /// Contact points solved since the counter was last reset.
        var contactPointCount = 0
        var manifolds: [cb2_manifold] = []
        var contacts: [Contact] = []

        /// The block's body origin (what the reference reports as its position).
        var blockOrigin: Vec2 {
            blockCenter - PushTGeometry.centerOfGravity.rotated(cos: blockRotation.cos, sin: blockRotation.sin)
        }

        /// One physics substep in Chipmunk 7's order (see the type's documentation).
        mutating func substep(dt: Double, world: OpaquePointer, config: Config) {
            // 1. Positions, with last solve's velocities; the bias velocities are spent here.
            agentPosition += agentVelocity * dt
            blockCenter += (blockVelocity + blockBiasVelocity) * dt
            let turn = (blockAngularVelocity + blockBiasAngularVelocity) * dt
            if turn != 0 {
                blockAngle += turn
                blockRotation = (cos(blockAngle), sin(blockAngle))
            }
            blockBiasVelocity = .zero
            blockBiasAngularVelocity = 0
            syncTransforms(world: world, config: config)

            // 2. Contacts at the new positions.
            collectContacts(world: world, config: config)

            // 3. Pre-step.
            if coefficients.dt != dt {
                coefficients = (dt, 1 - pow(config.collisionBias, dt), pow(config.damping, dt))
            }
            let biasCoefficient = coefficients.bias
            for i in contacts.indices {
                let n = contacts[i].normal
                let r1 = contacts[i].r1, r2 = contacts[i].r2
                let k = inverseMass(contacts[i].bodyA, r1, n) + inverseMass(contacts[i].bodyB, r2, n)
                contacts[i].normalMass = k > 0 ? 1 / k : 0
                contacts[i].bias = -biasCoefficient * min(0, contacts[i].separation + config.collisionSlop) / dt
            }

            // 4. Velocities: no forces, damping^dt.
            let damping = coefficients.damping
            blockVelocity = blockVelocity * damping
            blockAngularVelocity *= damping

            // 5. Warm start persisting contacts.
            let dtCoefficient = previousDt == 0 ? 0 : dt / previousDt
            previousDt = dt
            for c in contacts where c.warmStart && c.normalImpulse != 0 {
                applyImpulse(c, c.normal * (c.normalImpulse * dtCoefficient))
            }

            // 6. Sequential impulses (the contacts moved out while `solve` updates the velocities).
            var solving: [Contact] = []
            swap(&solving, &contacts)
            for _ in 0..<config.iterations {
                for i in solving.indices { solve(&solving[i]) }
            }
            swap(&solving, &contacts)

            previousContacts.removeAll(keepingCapacity: true)
            for c in contacts { previousContacts.append((c.key, c.normalImpulse)) }
            contactPointCount += contacts.count
        }

        func syncTransforms(world: OpaquePointer, config: Config) {
            let s = 1 / config.pixelsPerMeter
            cb2_set_transform(world, BodyIndex.agent, Float(agentPosition.x * s), Float(agentPosition.y * s), 0)
            let o = blockOrigin
            cb2_set_transform(world, BodyIndex.block, Float(o.x * s), Float(o.y * s), Float(blockAngle))
        }

        func center(of body: Int32) -> Vec2 {
            switch body {
            case BodyIndex.agent: return agentPosition
            case BodyIndex.block: return blockCenter
            default: return .zero
            }
        }

        mutating func collectContacts(world: OpaquePointer, config: Config) {
            let count = Int(manifolds.withUnsafeMutableBufferPointer { cb2_collide(world, $0.baseAddress, Int32($0.count)) })
            contacts.removeAll(keepingCapacity: true)
            let scale = config.pixelsPerMeter
            // Solve order matters when the agent squeezes the block against a wall (an over-constrained
            // system): walls first, then the agent, bar before stem, reproduces the reference most often.
            func order(_ m: cb2_manifold) -> (Int32, Int32) { (min(m.shapeA, m.shapeB), max(m.shapeA, m.shapeB)) }
            if count > 1 {
                for i in 1..<count {  // insertion sort: a handful of manifolds, no allocation
                    var j = i
                    while j > 0 && order(manifolds[j]) < order(manifolds[j - 1]) { manifolds.swapAt(j, j - 1); j -= 1 }
                }
            }
            for m in manifolds.prefix(count) {
                let pair = PairKey(shapeA: m.shapeA, shapeB: m.shapeB)
                let persisting = previousContacts.contains { $0.key.pair == pair }
                let n = Vec2(Double(m.nx), Double(m.ny))
                let ca = center(of: m.bodyA), cb = center(of: m.bodyB)
                withUnsafeBytes(of: m.ax) { ax in
                    withUnsafeBytes(of: m.ay) { ay in
                        withUnsafeBytes(of: m.bx) { bx in
                            withUnsafeBytes(of: m.by) { by in
                                withUnsafeBytes(of: m.separation) { sep in
                                    withUnsafeBytes(of: m.key) { keys in
                                        let ax = ax.bindMemory(to: Float.self), ay = ay.bindMemory(to: Float.self)
                                        let bx = bx.bindMemory(to: Float.self), by = by.bindMemory(to: Float.self)
                                        let sep = sep.bindMemory(to: Float.self), keys = keys.bindMemory(to: UInt32.self)
                                        for i in 0..<Int(m.count) {
                                            let key = ContactKey(pair: pair, feature: keys[i])
                                            let pa = Vec2(Double(ax[i]) * scale, Double(ay[i]) * scale)
                                            let pb = Vec2(Double(bx[i]) * scale, Double(by[i]) * scale)
                                            var c = Contact(
                                                bodyA: m.bodyA, bodyB: m.bodyB, key: key, warmStart: persisting, normal: n,
                                                r1: pa - ca, r2: pb - cb, separation: Double(sep[i]) * scale)
                                            if persisting, let previous = previousContacts.first(where: { $0.key == key }) {
                                                c.normalImpulse = previous.impulse
                                            }
                                            contacts.append(c)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        @inline(__always) func inverseMass(_ body: Int32, _ r: Vec2, _ n: Vec2) -> Double {
            guard body == BodyIndex.block else { return 0 }
            let rn = r.cross(n)
            return 1 / PushTGeometry.mass + rn * rn / PushTGeometry.momentOfInertia
        }

        @inline(__always) func velocity(_ body: Int32, _ r: Vec2) -> Vec2 {
            switch body {
            case BodyIndex.agent: return agentVelocity
            case BodyIndex.block: return blockVelocity + r.perp * blockAngularVelocity
            default: return .zero
            }
        }

        @inline(__always) func biasVelocity(_ body: Int32, _ r: Vec2) -> Vec2 {
            body == BodyIndex.block ? blockBiasVelocity + r.perp * blockBiasAngularVelocity : .zero
        }

        /// Impulse j on B at r2 and -j on A at r1; only the block responds.
        @inline(__always) mutating func applyImpulse(_ c: Contact, _ j: Vec2) {
            if c.bodyA == BodyIndex.block {
                blockVelocity -= j * (1 / PushTGeometry.mass)
                blockAngularVelocity -= c.r1.cross(j) / PushTGeometry.momentOfInertia
            }
            if c.bodyB == BodyIndex.block {
                blockVelocity += j * (1 / PushTGeometry.mass)
                blockAngularVelocity += c.r2.cross(j) / PushTGeometry.momentOfInertia
            }
        }

        @inline(__always) mutating func applyBiasImpulse(_ c: Contact, _ j: Vec2) {
            if c.bodyA == BodyIndex.block {
                blockBiasVelocity -= j * (1 / PushTGeometry.mass)
                blockBiasAngularVelocity -= c.r1.cross(j) / PushTGeometry.momentOfInertia
            }
            if c.bodyB == BodyIndex.block {
                blockBiasVelocity += j * (1 / PushTGeometry.mass)
                blockBiasAngularVelocity += c.r2.cross(j) / PushTGeometry.momentOfInertia
            }
        }

        @inline(__always) mutating func solve(_ c: inout Contact) {
            let n = c.normal
            let vbn = (biasVelocity(c.bodyB, c.r2) - biasVelocity(c.bodyA, c.r1)).dot(n)
            let vrn = (velocity(c.bodyB, c.r2) - velocity(c.bodyA, c.r1)).dot(n)
            let oldBias = c.biasImpulse
            c.biasImpulse = max(oldBias + (c.bias - vbn) * c.normalMass, 0)
            let oldNormal = c.normalImpulse
            c.normalImpulse = max(oldNormal - vrn * c.normalMass, 0)
            applyBiasImpulse(c, n * (c.biasImpulse - oldBias))
            applyImpulse(c, n * (c.normalImpulse - oldNormal))
        }
    }
}

/// Box2D's version as the linked library reports it.
public var box2DVersion: String { String(cString: cb2_version()) }
