import EWMIO
import Foundation

/// Measures how exactly a 3D world's dynamics commute with SE(3): step(g.s, g.a) = g.step(s, a).
///
/// Residual of two scenes = max over scene points (every collision sphere centre and the pusher, or the
/// cloud's points) of |p_transformed - g p_canonical| / L, with L = 1 m, the workspace half-size.
/// - One step: for each sample, a state s reached after 5-40 steps of a (noisy scripted, or random)
///   policy from a seeded reset, the policy's next action a, and g drawn from the ladder's SE(3) rung;
///   an env reset to s steps with a, another reset to g.s steps with g.a; the residual after that step.
/// - Rollout ("world" build): a canonical episode from a seeded reset under the policy, and the world
///   built transformed (reset to g.s0, goals included) driven by g.a_t; the residual after every step.
public enum SE3Check {
    public struct Report: Codable, Sendable {
        public var env: String
        public var samples: Int
        /// Worst and median one-step residual over the samples.
        public var oneStepWorst: Double
        public var oneStepMedian: Double
        /// Samples whose step had at least one contact with an impulse (0 for teacher3d: no contacts).
        public var samplesInContact: Int
        /// Worst one-step residual among those samples.
        public var oneStepWorstInContact: Double
        public var meanContacts: Double
        public var episodes: Int
        public var steps: Int
        /// max over episodes (one g each) of the residual after step t (index 0 = after reset).
        public var maxDeviationByStep: [Double]
        public var finalDeviation: Double { maxDeviationByStep.last ?? 0 }
        public var maxDeviation: Double { maxDeviationByStep.max() ?? 0 }
        public var scale: Double
    }

    public static let scale = 1.0

    /// `make` builds a fresh canonical env (no wrapper, no time limit).
    public static func measure(
        env id: String, samples: Int, episodes: Int, steps: Int, seed: UInt64 = 0,
        ladder: SE3Ladder = SE3Ladder(translationRadius: 1),
        make: () throws -> any SE3SymmetricEnvironment
    ) throws -> Report {
        let gs = elements(samples + episodes, seed: seed, ladder: ladder)
        let figures = try (0..<(samples + episodes)).map { u in
            u < samples
                ? try measureSample(u, g: gs[u], seed: seed, make: make)
                : try measureEpisode(u - samples, g: gs[u], steps: steps, seed: seed, make: make)
        }
        return report(env: id, samples: samples, episodes: episodes, steps: steps, figures: figures)
    }

    /// The group elements of a check, in the order its units use them (the samples', then the episodes').
    static func elements(_ count: Int, seed: UInt64, ladder: SE3Ladder) -> [SE3Transform] {
        var gRng = SplitMix64(seed: seed ^ 0x5E3C_0000)
        return (0..<count).map { _ in ladder.sample(.se3, using: &gRng) }
    }

    /// One-step sample `i` at `g`: [residual, contacts].
    static func measureSample(_ i: Int, g: SE3Transform, seed: UInt64, make: () throws -> any SE3SymmetricEnvironment) throws -> [Double] {
        let source = try make()
        let policy = self.policy(for: source, seed: seed &+ UInt64(i))
        policy.reset(seed: seed &+ UInt64(i))
        var (obs, info) = try source.reset(seed: seed &+ UInt64(i), options: ResetOptions())
        for _ in 0..<(5 + i % 36) {
            let r = try source.step(try policy.action(observation: obs, info: info))
            obs = r.observation; info = r.info
        }
        let s = source.state, a = try policy.action(observation: obs, info: info)
        let canonical = try make(), moved = try make()
        _ = try canonical.reset(seed: nil, options: ResetOptions(state: s))
        _ = try moved.reset(seed: nil, options: ResetOptions(state: canonical.act(g, onState: s)))
        let r = try canonical.step(a)
        _ = try moved.step(canonical.act(g, onAction: a))
        return [residual(moved.scenePoints, canonical.scenePoints, g), Double(Int(r.info.double("contacts") ?? 0))]
    }

    /// Rollout `e` of the world built at `g`: the residual after every step (index 0 = after reset).
    static func measureEpisode(_ e: Int, g: SE3Transform, steps: Int, seed: UInt64, make: () throws -> any SE3SymmetricEnvironment) throws
        -> [Double]
    {
        let canonical = try make(), moved = try make()
        let policy = self.policy(for: canonical, seed: seed &+ 1000 &+ UInt64(e))
        policy.reset(seed: seed &+ 1000 &+ UInt64(e))
        var (obs, info) = try canonical.reset(seed: seed &+ 1000 &+ UInt64(e), options: ResetOptions())
        _ = try moved.reset(seed: nil, options: ResetOptions(state: canonical.act(g, onState: canonical.state)))
        var perStep = [residual(moved.scenePoints, canonical.scenePoints, g)]
        for _ in stride(from: 1, through: steps, by: 1) {
            let a = try policy.action(observation: obs, info: info)
            let r = try canonical.step(a)
            _ = try moved.step(canonical.act(g, onAction: a))
            obs = r.observation; info = r.info
            perStep.append(residual(moved.scenePoints, canonical.scenePoints, g))
        }
        return perStep
    }

    /// The report from every unit's figures: the samples' [residual, contacts], then the episodes' residual per step.
    static func report(env id: String, samples: Int, episodes: Int, steps: Int, figures: [[Double]]) -> Report {
        let one = figures[..<samples], rollouts = figures[samples...]
        let residuals = one.map { $0[0] }, contacts = one.map { Int($0[1]) }
        let worstInContact = zip(residuals, contacts).reduce(0.0) { $1.1 > 0 ? max($0, $1.0) : $0 }
        let perStep = (0...steps).map { t in rollouts.reduce(0.0) { max($0, $1[t]) } }
        let sorted = residuals.sorted()
        return Report(
            env: id, samples: samples, oneStepWorst: sorted.last ?? 0, oneStepMedian: sorted.isEmpty ? 0 : sorted[sorted.count / 2],
            samplesInContact: contacts.filter { $0 > 0 }.count, oneStepWorstInContact: worstInContact,
            meanContacts: samples > 0 ? Double(contacts.reduce(0, +)) / Double(samples) : 0, episodes: episodes, steps: steps,
            maxDeviationByStep: perStep, scale: scale)
    }

    /// The registered env `id`, canonical (orientation 0, frame build, no time limit).
    public static func measure(env id: String, samples: Int, episodes: Int, steps: Int, seed: UInt64 = 0) throws -> Report {
        try measure(env: id, samples: samples, episodes: episodes, steps: steps, seed: seed) {
            var options = MakeOptions()
            options.timeLimit = false
            guard let env = try Registry.make(id, options: options) as? any SE3SymmetricEnvironment else {
                throw EnvError.invalidArgument("\(id) is not an SE(3)-symmetric env")
            }
            return env
        }
    }

    /// max_j |moved_j - g canonical_j| / L.
    public static func residual(_ moved: [Vec3], _ canonical: [Vec3], _ g: SE3Transform) -> Double {
        precondition(moved.count == canonical.count, "scenes differ in size")
        var worst = 0.0
        for (m, c) in zip(moved, canonical) { worst = max(worst, (m - g.apply(point: c)).length) }
        return worst / scale
    }

    /// A noisy scripted pusher for the pushing worlds (contacts in most samples), random actions otherwise.
    static func policy(for env: any SE3SymmetricEnvironment, seed: UInt64) -> any Policy {
        if let push = env as? Push3DEnv { return Push3DPusher(env: push, noise: 0.05) }
        return RandomPolicy(space: env.actionSpace, seed: seed)
    }

    /// The residual table of `reports` and the worst figures over all of them.
    public static func text(_ reports: [Report]) -> String {
        let g = TextTable.short
        let steps = reports.first?.steps ?? 0
        let table = TextTable.render(
            ["env", "samples", "in contact", "1-step worst", "worst in contact", "1-step median", "episodes", "dev @1", "dev @\(steps)", "max dev"],
            reports.map { r in
                [
                    r.env, String(r.samples), String(r.samplesInContact), g(r.oneStepWorst), g(r.oneStepWorstInContact), g(r.oneStepMedian),
                    String(r.episodes), g(r.maxDeviationByStep[min(1, r.steps)]), g(r.finalDeviation), g(r.maxDeviation),
                ]
            })
        let worst = reports.map(\.oneStepWorst).max() ?? 0
        return [
            table,
            "worst one-step residual over all envs: \(g(worst)) (relative to 1 m); \(worst <= 1e-12 ? "within" : "OUTSIDE") the 1e-12 bound",
            "worst deviation after \(steps) steps: \(g(reports.map(\.finalDeviation).max() ?? 0)); over the rollouts: \(g(reports.map(\.maxDeviation).max() ?? 0))",
        ].joined(separator: "\n")
    }

    /// The orbit check of the registered env `id` by units: `elements` one-step samples, then `episodes` rollouts of
    /// `steps` steps, each at its own element of one seeded sequence.
    static func orbitUnits(_ id: String) -> OrbitCheckUnits {
        let ladder = SE3Ladder(translationRadius: 1)
        let make: @Sendable () throws -> any SE3SymmetricEnvironment = {
            var options = MakeOptions()
            options.timeLimit = false
            guard let env = try Registry.make(id, options: options) as? any SE3SymmetricEnvironment else {
                throw EnvError.invalidArgument("\(id) is not an SE(3)-symmetric env")
            }
            return env
        }
        return OrbitCheckUnits(
            count: { $0.elements + $0.episodes },
            measure: { s, u in
                let g = elements(u + 1, seed: s.seed, ladder: ladder)[u]
                return u < s.elements
                    ? try measureSample(u, g: g, seed: s.seed, make: make)
                    : try measureEpisode(u - s.elements, g: g, steps: s.steps, seed: s.seed, make: make)
            },
            report: { s, figures in
                ReportList([report(env: id, samples: s.elements, episodes: s.episodes, steps: s.steps, figures: figures)], render: text)
            })
    }
}
