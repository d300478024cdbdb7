import Agents
import EWMIO
import Envs
import Foundation
import Tensor

/// Experiment 4 of issue 17, the degree ladder: world models whose predictor is a `VNDegreeLadder` with L rungs (its
/// gain a polynomial of degree d_max(L) = 2L; L = 0 the linear map) trained beside the VN predictors (the VN-LeakyReLU
/// stack and the gated map) on the same data with the same encoder, per env: the one-step and rollout relMSE on held-out
/// canonical transitions, the predictor's equivariance residual on held-out latents (Float and Double), and the degree
/// of the trained ladder measured on a polynomial fit along a ray. Envs are reached through their model adapters (a 3D
/// cloud layout or a planar observation layout), never by name.
public enum DegreeLadderExperiment {
    public struct Settings: Codable, Sendable {
        /// Registered envs with world-model adapters (planar or cloud layouts), each trained and measured on its own.
        public var envs: [String]
        public var layers = [0, 1, 2, 3]
        /// Also train the VN-stack and gated predictors.
        public var baselines = true
        public var episodes = 200
        public var episodeSteps = 20
        public var heldOutEpisodes = 20
        public var steps = 2000
        public var batch = 128
        /// Rollout horizons 1 ... horizon.
        public var horizon = 5
        public var seed: UInt64 = 0
        public init(envs: [String]) { self.envs = envs }
    }

    public struct Row: Codable, Sendable {
        public var env: String
        public var predictor: String
        /// L for a ladder, nil for a VN baseline.
        public var layers: Int?
        /// d_max(L) = 2L, the gain's degree by construction (nil: not a polynomial).
        public var gainDegree: Int?
        /// The trained ladder's gain degree measured on a fit of f(t x) / t in t, and the largest relative coefficient
        /// above it (rounding level when the degree is exact).
        public var measuredGainDegree: Int?
        public var aboveDegree: Double?
        public var parameters: Int
        public var predictorParameters: Int
        /// relMSE(f(E(o), a), E_ema(o')) over the held-out transitions.
        public var oneStep: Double
        /// relMSE of the open-loop rollout at horizons 1 ... H.
        public var rollout: [Double]
        /// max over held-out latents and 8 elements of O(d) of |f(rho z, rho a) - rho f(z, a)| / |f(z, a)|.
        public var residualFloat: Double
        public var residualDouble: Double
        public var trainSeconds: Double
    }

    /// Trains and measures every predictor on every env; `progress(message)` follows each model.
    public static func run(_ s: Settings, progress: (String) -> Void = { _ in }) throws -> DegreeLadderReport {
        guard !s.envs.isEmpty, !s.layers.isEmpty, s.layers.allSatisfy({ $0 >= 0 }) else { throw DataError("need envs and layers >= 0") }
        let t0 = Date()
        var rows: [Row] = []
        for env in s.envs {
            if CloudLayout.isSupported(env) {
                let collect = Collect3DConfig(env: env, episodes: s.episodes, stepsPerEpisode: s.episodeSteps, seed: s.seed)
                var held = collect
                (held.episodes, held.seed) = (s.heldOutEpisodes, s.seed &+ EvaluationData.seedOffset)
                let layout = try CloudLayout.forEnv(env)
                rows += try measure(
                    env: env, base: ModelSpec.defaults3D(kind: .vn, points: layout.channels), settings: s,
                    train: try collectTransitions3D(collect), heldOut: try collectTransitions3D(held), progress: progress
                ) { spec in
                    Train3DConfig(env: env, model: spec, rung: collect.rung, steps: s.steps, batch: s.batch, seed: s.seed, collect: collect)
                }
            } else {
                let layout = try ObservationLayout.forEnv(env)
                let collect = CollectConfig(env: env, episodes: s.episodes, stepsPerEpisode: s.episodeSteps, seed: s.seed)
                let held = try EvaluationData.heldOutConfig(collect, episodes: s.heldOutEpisodes, seed: nil)
                rows += try measure(
                    env: env, base: ModelSpec.defaults(kind: .vn, points: layout.points), settings: s,
                    train: try collectTransitions(collect), heldOut: try collectTransitions(held), progress: progress
                ) { spec in
                    TrainConfig(env: env, model: spec, steps: s.steps, batch: s.batch, seed: s.seed, collect: collect)
                }
            }
        }
        return DegreeLadderReport(settings: s, rows: rows, seconds: Date().timeIntervalSince(t0))
    }

    /// The predictors of one env: (name, L or nil, the spec).
    static func variants(base: ModelSpec, settings s: Settings) -> [(String, Int?, ModelSpec)] {
        var out: [(String, Int?, ModelSpec)] = s.layers.map { l in
            var spec = base
            spec.config.ladderLayers = l
            return ("ladder L=\(l)", l, spec)
        }
        if s.baselines {
            var gated = base
            gated.config.gatedDirections = 8
            out += [("vn stack", nil, base), ("vn gated", nil, gated)]
        }
        return out
    }

    static func measure<Config: LayoutTrainingConfig>(
        env: String, base: ModelSpec, settings s: Settings, train: TransitionSet, heldOut: TransitionSet,
        progress: (String) -> Void, config: (ModelSpec) -> Config
    ) throws -> [Row] {
        try variants(base: base, settings: s).map { name, layers, spec in
            progress("\(env): \(name)")
            let start = Date()
            let trainer = try LayoutJEPATrainer<Config.Layout>(config: config(spec), data: train)
            while trainer.step < s.steps { trainer.trainStep() }
            let seconds = Date().timeIntervalSince(start)
            let probe = ModelProbe(layout: trainer.layout, online: trainer.online, target: trainer.target, data: heldOut)
            let degree = layers.map { probe.gainDegree(layers: $0) }
            let (rf, rd) = (probe.predictorResidual(as: Float.self, seed: s.seed), probe.predictorResidual(as: Double.self, seed: s.seed))
            return Row(
                env: env, predictor: name, layers: layers, gainDegree: layers.map { 2 * $0 }, measuredGainDegree: degree.map { $0.degree - 1 },
                aboveDegree: degree?.aboveDegree, parameters: trainer.online.parameterCount,
                predictorParameters: trainer.online.namedParameters.filter { $0.0.hasPrefix("predictor") }.reduce(0) { $0 + $1.1.value.count },
                oneStep: probe.oneStep(), rollout: probe.rollout(horizon: s.horizon), residualFloat: rf, residualDouble: rd,
                trainSeconds: seconds)
        }
    }
}
