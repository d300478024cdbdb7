import EWMIO
import Foundation
import Testing
@testable import Envs

/// Max |a_i - b_i| over two flat arrays of the same size.
private func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct SE3MathTests {
    @Test func rotationsAreOrthogonalAndRoundTrip() {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<200 {
            let r = Mat3.randomRotation(using: &rng)
            #expect(r.orthogonalityError < 1e-14)
            #expect(abs(r.determinant - 1) < 1e-14)
            let back = Mat3.rotation(vector: r.rotationVector)
            #expect(maxDifference(back.array, r.array) < 1e-9)
        }
        // Small angles (Taylor branch) and near pi.
        for phi in [Vec3(1e-7, -2e-7, 3e-8), Vec3(0, 0, Double.pi - 1e-9), Vec3(0.3, -0.2, 0.1)] {
            let r = Mat3.rotation(vector: phi)
            #expect(r.orthogonalityError < 1e-15)
            #expect(abs(r.rotationAngle - phi.length) < 1e-9)
        }
    }

    @Test func rodriguesIsEquivariant() {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<100 {
            let q = Mat3.randomRotation(using: &rng)
            let phi = randomPointInBall(radius: 3, using: &rng)
            let lhs = Mat3.rotation(vector: q * phi), rhs = q * Mat3.rotation(vector: phi) * q.transpose
            #expect(maxDifference(lhs.array, rhs.array) < 1e-14)
        }
    }

    @Test func se3GroupLaws() {
        let ladder = SE3Ladder(translationRadius: 1)
        let gs = ladder.sample(.se3, count: 50, seed: 3)
        for (g, h) in zip(gs, gs.reversed()) {
            let p = Vec3(0.3, -0.7, 1.1)
            #expect(((g * h).apply(point: p) - g.apply(point: h.apply(point: p))).length < 1e-14)
            #expect((g.inverse.apply(point: g.apply(point: p)) - p).length < 1e-14)
            #expect(
                SE3Transform(parsing: g.coordinates.map { String($0) }.joined(separator: ",")).map {
                    maxDifference($0.rotation.array + $0.translation.array, g.rotation.array + g.translation.array) < 1e-9
                } == true)
        }
        #expect(SE3Transform(parsing: "1,2,3") == nil)
        #expect(SE3Transform(parsing: "1,2,3,4,5,nan") == nil)
    }

    @Test func ladderRungsAreNestedSeededSlices() {
        let ladder = SE3Ladder()
        for rung in SE3Ladder.Rung.allCases {
            let a = ladder.sample(rung, count: 30, seed: 9), b = ladder.sample(rung, count: 30, seed: 9)
            #expect(a == b)
            #expect(ladder.sample(rung, count: 30, seed: 10) != a || rung == .identity)
            for g in a {
                #expect(ladder.contains(g, in: rung))
                #expect(g.rotation.orthogonalityError < 1e-14)
                for lower in SE3Ladder.Rung.allCases where lower < rung {
                    #expect(!ladder.contains(g, in: lower), "a \(rung) sample should leave the \(lower) slice")
                }
                #expect(g.translation.length <= ladder.translationRadius)
            }
        }
        // SO(2) about z keeps z; the options' orientation is that rung.
        let g = try! MakeOptions(orientation: 0.7).se3Transform()
        #expect(ladder.rung(of: g) == .so2)
        #expect((g.apply(point: Vec3(0, 0, 1)) - Vec3(0, 0, 1)).length < 1e-15)
    }
}

@Suite struct Physics3DTests {
    /// A T with the pusher just behind it along +x, aiming through it.
    private func pushScene(broadPhase: Bool = true) -> (PointCloudPhysics3D, Vec3) {
        var config = PointCloudPhysics3D.Config()
        config.broadPhase = broadPhase
        let t = RigidShape3D.make(.t)
        let physics = PointCloudPhysics3D(shapes: [t, RigidShape3D.make(.box)], config: config)
        physics.setState(
            pusherPosition: Vec3(-0.45, 0.0, 0.01), pusherVelocity: .zero,
            positions: [.zero, Vec3(0.55, 0.05, 0)], rotations: [.identity, .rotation(vector: Vec3(0.2, 0.4, -0.3))])
        return (physics, Vec3(0.6, 0.02, 0.0))
    }

    @Test func shapesHaveSaneMassProperties() {
        for kind in RigidShape3D.Kind.allCases {
            let s = RigidShape3D.make(kind)
            #expect(s.keypoints.count == RigidShape3D.defaultKeypointCount)
            #expect(s.centers.count >= 16 && s.centers.count <= 120, "\(kind): \(s.centers.count) spheres")
            #expect(maxDifference(s.inertia.array, s.inertia.transpose.array) < 1e-15)
            #expect(s.inertia.determinant > 0 && s.inertia.trace > 0)
            #expect(maxDifference((s.inertia * s.inverseInertia).array, Mat3.identity.array) < 1e-12)
            #expect(s.centers.allSatisfy { $0.length + s.sphereRadius <= s.boundingRadius + 1e-15 })
        }
    }

    @Test func objectsMoveOnlyWhilePushedAndDoNotInterpenetrate() {
        let (physics, target) = pushScene()
        let before = physics.positions
        // Far from anything: no contact, nothing but the pusher moves.
        let idle = PointCloudPhysics3D(shapes: [RigidShape3D.make(.t)])
        idle.setState(pusherPosition: Vec3(2, 2, 2), pusherVelocity: .zero, positions: [.zero], rotations: [.identity])
        idle.step(target: Vec3(1.5, 2, 2))
        #expect(idle.positions == [.zero] && idle.rotations == [.identity] && idle.activeContactCount == 0)
        var worstOverlap = 0.0
        for _ in 0..<10 {
            physics.step(target: target)
            let p = physics.pusherPosition
            for c in physics.sphereCenters.prefix(physics.shapes[0].centers.count) {
                worstOverlap = max(worstOverlap, 0.06 + RigidShape3D.defaultSphereRadius - (c - p).length)
            }
        }
        #expect(physics.positions[0].x > before[0].x + 0.1, "the pushed T moves along the push")
        #expect(worstOverlap < 0.01, "pusher-sphere overlap \(worstOverlap) m")
        // The T was pushed into the box: the box moved too.
        #expect((physics.positions[1] - before[1]).length > 0.01)
        for r in physics.rotations { #expect(r.orthogonalityError < 1e-14) }
    }

    @Test func broadPhaseGivesBitIdenticalResults() {
        let (a, target) = pushScene(broadPhase: true)
        let (b, _) = pushScene(broadPhase: false)
        for _ in 0..<15 {
            a.step(target: target); b.step(target: target)
            #expect(a.positions == b.positions && a.rotations == b.rotations && a.pusherPosition == b.pusherPosition)
            #expect(a.activeContactCount == b.activeContactCount)
        }
        #expect(a.activeContactCount > 0)
    }

    @Test func offCentrePushTurnsTheObject() {
        // Push the T's bar along +y from below, near its +x end (x = 0.2; the bar spans x in [-0.24, 0.24]).
        let physics = PointCloudPhysics3D(shapes: [RigidShape3D.make(.t)])
        physics.setState(pusherPosition: Vec3(0.2, -0.35, 0), pusherVelocity: .zero, positions: [.zero], rotations: [.identity])
        for _ in 0..<5 { physics.step(target: Vec3(0.2, 0.1, 0)) }
        let r = physics.rotations[0]
        #expect(r.rotationAngle > 0.05, "turned by \(r.rotationAngle) rad")
        // A push at +x of the centre along +y turns the body counter-clockwise about +z.
        #expect(r.rotationVector.z > 0 && abs(r.rotationVector.z) > 10 * max(abs(r.rotationVector.x), abs(r.rotationVector.y)))
        #expect(physics.positions[0].y > 0.05)
    }

    @Test func stepCommutesWithSE3ToRounding() throws {
        let (_, target) = pushScene()
        for g in SE3Ladder(translationRadius: 1).sample(.se3, count: 20, seed: 4) {
            let (moved, _) = pushScene()
            moved.setState(
                pusherPosition: g.apply(point: moved.pusherPosition), pusherVelocity: .zero,
                positions: moved.positions.map(g.apply(point:)), rotations: moved.rotations.map(g.apply(orientation:)))
            let (canonical, _) = pushScene()
            var worst = 0.0
            for _ in 0..<8 {
                canonical.step(target: target)
                moved.step(target: g.apply(point: target))
                worst = max(worst, SE3Check.residual(moved.sphereCenters, canonical.sphereCenters, g))
            }
            #expect(worst < 1e-12, "residual \(worst) over 8 contact-rich steps")
        }
    }
}

@Suite struct World3DEnvTests {
    /// push3d-box, push3d-l and push3d-tripod are push3d with that shape under their own id, with world-model adapters
    /// (a collection policy and goal protocols) of that shape; a shape option on them is refused.
    @Test func everyPush3DShapeHasItsOwnRegistration() throws {
        for kind in RigidShape3D.Kind.allCases where kind != .t {
            let id = "push3d-\(kind.rawValue)"
            var plain = MakeOptions()
            plain.timeLimit = false
            let env = try #require(try Registry.make(id, options: plain) as? Push3DEnv)
            #expect(env.spec.id == id && env.config.shape == kind && env.config.objectCount == 1)
            #expect(env.shape.keypoints.count == RigidShape3D.make(kind).keypoints.count)
            var viaOption = plain
            viaOption.extra["shape"] = kind.rawValue
            let push3d = try #require(try Registry.make("push3d", options: viaOption) as? Push3DEnv)
            #expect(try env.reset(seed: 3).observation.values == push3d.reset(seed: 3).observation.values)
            let adapters = try Registry.adapters(id)
            #expect(adapters.collection.policies.keys.contains("scripted"))
            #expect(!adapters.goalProtocols.isEmpty)
            #expect(throws: (any Error).self) { try Registry.make(id, options: viaOption) }
        }
    }

    @Test func checkSE3OneStepAndFiftySteps() throws {
        for id in ["push3d", "push3d-multi", "teacher3d"] {
            let r = try SE3Check.measure(env: id, samples: 24, episodes: 2, steps: 50, seed: 1)
            print(
                "check se3 \(id): one-step worst \(r.oneStepWorst) (\(r.samplesInContact)/\(r.samples) in contact, worst there \(r.oneStepWorstInContact)), after 50 steps \(r.finalDeviation), max \(r.maxDeviation)"
            )
            #expect(r.oneStepWorst < 1e-12)
            #expect(r.maxDeviation < 1e-9)
            if id != "teacher3d" { #expect(r.samplesInContact > 0) }
        }
    }

    /// The frame build (wrapper) and the world build give the same observations, both g times the
    /// canonical ones, along an episode driven by g-transformed actions.
    @Test func frameAndWorldBuildsAgreeWithTheCanonicalWorld() throws {
        let g = SE3Transform(parsing: "0.4,-1.3,2.1,0.3,-0.2,0.5")!
        for id in ["push3d", "push3d-multi", "teacher3d"] {
            var options = MakeOptions(observation: "points")
            options.timeLimit = false
            let canonical = try Registry.make(id, options: options)
            options.extra["se3"] = "0.4,-1.3,2.1,0.3,-0.2,0.5"
            let frame = try Registry.make(id, options: options)
            options.rotation = .world
            let world = try Registry.make(id, options: options)
            #expect(frame is OrientationWrapper<Push3DEnv> || frame is OrientationWrapper<Teacher3DEnv>)
            var o0 = try canonical.reset(seed: 5).observation.values
            var of = try frame.reset(seed: 5).observation.values
            var ow = try world.reset(seed: 5).observation.values
            var rng = SplitMix64(seed: 6)
            var worstFrame = 0.0, worstWorld = 0.0
            for t in 0...30 {
                var expected = o0
                g.apply(points: &expected, range: 0..<expected.count)
                worstFrame = max(worstFrame, maxDifference(of, expected))
                worstWorld = max(worstWorld, maxDifference(ow, expected))
                guard t < 30 else { break }
                let a = Vec3(canonical.actionSpace.sample(using: &rng), at: 0)
                o0 = try canonical.step(a.array).observation.values
                of = try frame.step(g.apply(point: a).array).observation.values
                ow = try world.step(g.apply(point: a).array).observation.values
            }
            #expect(worstFrame < 1e-12, "\(id) frame build: \(worstFrame)")
            #expect(worstWorld < 1e-12, "\(id) world build: \(worstWorld)")
            #expect(frame.observationSpace == world.observationSpace)
        }
    }

    /// push3d-multi: relabelling the objects relabels the outcome (S_O), to rounding.
    @Test func multiObjectStepIsPermutationEquivariant() throws {
        let env = Push3DEnv(config: .init(shape: .box, objectCount: 3, observationType: .state))
        let policy = Push3DPusher(env: env, noise: 0.05)
        policy.reset(seed: 0)
        var (obs, info) = try env.reset(seed: 2)
        let perm = [2, 0, 1]
        var worst = 0.0, contacts = 0
        for _ in 0..<40 {
            let a = try policy.action(observation: obs, info: info)
            let s = env.state
            let twin = Push3DEnv(config: env.config)
            _ = try twin.reset(options: ResetOptions(state: env.permute(objects: perm, state: s)))
            _ = try twin.step(a)
            let r = try env.step(a)
            contacts += Int(r.info.double("contacts") ?? 0)
            worst = max(worst, maxDifference(twin.state, env.permute(objects: perm, state: env.state)))
            obs = r.observation; info = r.info
            // Continue from the env's own state (the twin is rebuilt every step).
        }
        #expect(contacts > 0)
        #expect(worst < 1e-12, "S_3 residual \(worst)")
    }

    @Test func observationLayoutsAreAsDocumented() throws {
        let env = Push3DEnv(config: .init(shape: .l, objectCount: 2, observationType: .points))
        let (obs, info) = try env.reset(seed: 4)
        let v = obs.values, k = env.shape.keypoints.count
        #expect(v.count == 3 * (2 * 2 * k + 1))
        #expect(Array(v[(3 * 2 * k)..<(3 * 2 * k + 3)]) == info.doubles("pos_pusher")!)
        let object1 = Pose3D(pose: info.doubles("object_pose")!, at: 12), goal0 = Pose3D(pose: info.doubles("goal_pose")!, at: 0)
        #expect(maxDifference(Array(v[(3 * k)..<(3 * k + 3)]), object1.apply(point: env.shape.keypoints[0]).array) < 1e-15)
        #expect(maxDifference(Array(v[(3 * (2 * k + 1))..<(3 * (2 * k + 1) + 3)]), goal0.apply(point: env.shape.keypoints[0]).array) < 1e-15)
        let state = Push3DEnv(config: .init(shape: .l, objectCount: 2, observationType: .state))
        let s = try state.reset(seed: 4).observation.values
        #expect(s.count == 3 + 24 * 2)
        #expect(Array(s[3..<15]) == info.doubles("object_pose")!.prefix(12).map { $0 })
    }

    @Test func resetStatesAreValidatedAndRoundTrip() throws {
        let env = Push3DEnv()
        _ = try env.reset(seed: 1)
        _ = try env.step([0.1, 0.2, 0.3])
        let s = env.state
        let twin = Push3DEnv()
        _ = try twin.reset(options: ResetOptions(state: s))
        #expect(maxDifference(twin.state, s) < 1e-15)
        var bad = s
        bad[6 + 3] = 2  // not a rotation
        #expect(throws: EnvError.self) { try env.reset(options: ResetOptions(state: bad)) }
        #expect(throws: EnvError.self) { try env.reset(options: ResetOptions(state: Array(s.dropLast()))) }
        bad = s; bad[0] = .nan
        #expect(throws: EnvError.self) { try env.reset(options: ResetOptions(state: bad)) }
        #expect(throws: EnvError.needsReset("call reset before step")) { try Push3DEnv().step([0, 0, 0]) }
        #expect(throws: EnvError.self) { try Registry.make("push3d", options: MakeOptions(observation: "pixels")) }
        var options = MakeOptions()
        options.extra["se3"] = "1,2"
        #expect(throws: EnvError.self) { try Registry.make("push3d", options: options) }
        options.extra = ["shape": "sphere"]
        #expect(throws: EnvError.self) { try Registry.make("push3d", options: options) }
    }

    @Test func scriptedPusherBringsTheObjectCloser() throws {
        let env = Push3DEnv(config: .init(shape: .box))
        let policy = Push3DPusher(env: env)
        var (obs, info) = try env.reset(seed: 3)
        let start = info.double("position_error")!
        for _ in 0..<150 {
            let r = try env.step(try policy.action(observation: obs, info: info))
            obs = r.observation; info = r.info
        }
        #expect(info.double("position_error")! < 0.5 * start)
    }

    @Test func teacherStaysBoundedUnderLongRandomDriving() throws {
        let env = Teacher3DEnv()
        var rng = SplitMix64(seed: 8)
        _ = try env.reset(seed: 0)
        var inside = true
        for _ in 0..<400 {
            let r = try env.step(env.actionSpace.sample(using: &rng))
            inside = inside && env.observationSpace.contains(r.observation)
        }
        #expect(inside)
        let c = env.points.reduce(Vec3.zero, +) * (1 / 16)
        let spread = env.points.map { ($0 - c).length }.max()!
        #expect(spread > 0.05 && spread < 1.5, "cloud radius \(spread)")
    }

    @Test func picturesShowTheSceneAndTheTransformedScene() throws {
        let env = Push3DEnv()
        _ = try env.reset(seed: 0)
        _ = try env.step([0.2, 0.1, 0])
        let image = try #require(env.render(width: 96, height: 96))
        #expect(image.countPixels(notEqualTo: .white) > 300)
        let turned = try #require(env.render(width: 96, height: 96, under: SE3Transform(rotationVector: Vec3(0, 0, 1.2))))
        #expect(turned != image)
        let teacher = Teacher3DEnv()
        _ = try teacher.reset(seed: 0)
        #expect(try #require(teacher.render(width: 64, height: 64)).countPixels(notEqualTo: .white) > 50)
    }
}
