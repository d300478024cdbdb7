import Foundation

/// PushT's simulator as a planner's model (the oracle): snapshots of the Box2D-equivalent state, a fresh keypoint
/// simulator of the same world, and the noisy-oracle diagnostics, which shift the T.
extension PushTEnv: SimulatableEnvironment {
    public func makeSimulator() -> PushTEnv {
        var simConfig = config
        simConfig.observationType = .keypoints
        return PushTEnv(config: simConfig)
    }

    public var identityElement: PlanarRotation { PlanarRotation(angle: 0, center: PushTGeometry.workspaceCenter) }

    /// Drive the agent to where it is.
    public var restAction: [Double] { [physics.agentPosition.x, physics.agentPosition.y] }

    /// After every planned action that moved the T by more than 1 px, the T is shifted by an offset of mean length
    /// `meanLength` px: an isotropic Gaussian draw, or (`smooth`) the episode's `SmoothErrorField`.
    public func modelError(meanLength: Double, smooth: Bool, seed: UInt64) -> (any SimulatorModelError<PushTEnv>)? {
        PushTModelError(meanLength: meanLength, field: smooth ? SmoothErrorField(meanLength: meanLength, seed: seed) : nil)
    }
}

/// The noisy oracle's error on PushT: the T shifted after each planned action that moved it.
final class PushTModelError: SimulatorModelError {
    let meanLength: Double
    let field: SmoothErrorField?
    private var before = Vec2(0, 0), agentBefore = Vec2(0, 0)

    init(meanLength: Double, field: SmoothErrorField?) { self.meanLength = meanLength; self.field = field }

    func begin(_ sim: PushTEnv) {
        before = sim.physics.blockOrigin
        agentBefore = sim.physics.agentPosition
    }

    func perturb(_ sim: PushTEnv, action: [Double], rng: inout SplitMix64) -> Bool {
        var moved = false
        if (sim.physics.blockOrigin - before).length > 1 {
            let offset =
                field?.offset(agent: agentBefore, action: Vec2(action[0], action[1]), block: before)
                ?? Self.gaussianOffset(meanLength: meanLength, using: &rng)
            sim.physics.setBlockOrigin(sim.physics.blockOrigin + offset)
            moved = true
        }
        before = sim.physics.blockOrigin
        agentBefore = sim.physics.agentPosition
        return moved
    }

    /// An isotropic 2D Gaussian offset with mean length `meanLength` (per-axis std meanLength / sqrt(pi / 2)).
    static func gaussianOffset(meanLength: Double, using rng: inout SplitMix64) -> Vec2 {
        let std = meanLength / (Double.pi / 2).squareRoot()
        // Both Box-Muller branches of one pair of uniforms (the figures in the README were drawn this way).
        let u1 = Double.random(in: Double.ulpOfOne...1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
        let r = std * (-2 * log(u1)).squareRoot()
        return Vec2(r * cos(2 * Double.pi * u2), r * sin(2 * Double.pi * u2))
    }
}

/// A fixed, smooth, random error field for the noisy oracle: the T's offset after an action is a sum of 64 random
/// Fourier features of (agent, action) relative to the T's origin and of the T's origin itself, on a 40 px length
/// scale, scaled so the offset's mean length over random workspace inputs is `meanLength`. Deterministic in its inputs, so a search can
/// exploit it as it can exploit a learned model's errors (random offsets average out over the search).
struct SmoothErrorField {
    private var frequencies: [[Double]] = [], phases: [Double] = [], amplitudes: [Vec2] = []

    init(meanLength: Double, seed: UInt64, features: Int = 64, lengthScale: Double = 40) {
        var rng = SplitMix64(seed: seed ^ 0x5EED_F1E1_D000_0001)
        func gaussian() -> Double { rng.standardNormal() }
        // Per-axis std of the offset meanLength / sqrt(pi/2); each feature's sine has variance 1/2.
        let axisStd = meanLength / (Double.pi / 2).squareRoot(), amplitudeStd = axisStd * (2 / Double(features)).squareRoot()
        for _ in 0..<features {
            frequencies.append((0..<6).map { _ in gaussian() / lengthScale })
            phases.append(Double.random(in: 0..<(2 * Double.pi), using: &rng))
            amplitudes.append(Vec2(amplitudeStd * gaussian(), amplitudeStd * gaussian()))
        }
        // Rescale so the mean length over 2000 random workspace inputs is exactly `meanLength`.
        var mean = 0.0
        for _ in 0..<2000 {
            func point() -> Vec2 { Vec2(Double.random(in: 50...450, using: &rng), Double.random(in: 50...450, using: &rng)) }
            mean += offset(agent: point(), action: point(), block: point()).length / 2000
        }
        if mean > 0 { amplitudes = amplitudes.map { (meanLength / mean) * $0 } }
    }

    func offset(agent: Vec2, action: Vec2, block: Vec2) -> Vec2 {
        let x = [agent.x - block.x, agent.y - block.y, action.x - block.x, action.y - block.y, block.x - 256, block.y - 256]
        var out = Vec2(0, 0)
        for (k, w) in frequencies.enumerated() {
            var arg = phases[k]
            for j in 0..<6 { arg += w[j] * x[j] }
            out = out + sin(arg) * amplitudes[k]
        }
        return out
    }
}
