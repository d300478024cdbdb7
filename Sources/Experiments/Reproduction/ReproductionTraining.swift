import Envs
import Foundation
import Tensor
import Train

/// The models a reproduction trains for itself (the 3D pair behind the ladder, the 3D closed loop and C1; the
/// teacher2d baselines of the stress tests): the recipe of `ewm-sim train` with the given sizes, each into its own
/// run directory (`TrainingRun`: checkpoint, metrics, summary) under the part's directory.
public enum ReproductionTraining {
    /// Sizes of one training recipe.
    public struct Recipe: Sendable {
        public var episodes: Int
        public var stepsPerEpisode: Int
        public var steps: Int
        public var seed: UInt64 = 0

        public init(episodes: Int, stepsPerEpisode: Int, steps: Int) {
            self.episodes = episodes; self.stepsPerEpisode = stepsPerEpisode; self.steps = steps
        }

        public var description: String { "\(episodes) episodes x \(stepsPerEpisode) steps, \(steps) training steps" }
    }

    /// Trains each planar model of `kinds` (with its `scale` for mlp-big) on one collection of `env`'s default slice;
    /// model `i` goes to `directory/names[i]`. Returns the training summaries.
    public static func planar(
        env: String, models: [(name: String, kind: ModelKind, scale: Int)], recipe: Recipe, in directory: URL,
        progress: @escaping @Sendable (String) -> Void
    ) throws -> [TrainingSummary] {
        BLAS.setThreadCount(1)
        MemoryTuning.retainFreedMemory()
        let collect = CollectConfig(env: env, episodes: recipe.episodes, stepsPerEpisode: recipe.stepsPerEpisode, seed: recipe.seed)
        let data = try collectTransitions(collect)
        let layout = try ObservationLayout.forEnv(env)
        return try models.map { m in
            let spec = ModelOverrides().planarSpec(kind: m.kind, points: layout.points, scale: m.scale)
            let config = TrainConfig(env: env, model: spec, steps: recipe.steps, seed: recipe.seed, collect: collect)
            return try train(
                try JEPATrainer(config: config, data: data), transitions: data.count, name: m.name, env: env, kind: m.kind,
                slice: config.sliceName, steps: recipe.steps, in: directory, progress: progress)
        }
    }

    /// Trains each 3D model of `kinds` on one collection of `env` at the `rung` of the SE(3) ladder, into
    /// `directory/KIND`.
    public static func cloud(
        env: String, kinds: [ModelKind], rung: SE3Ladder.Rung, recipe: Recipe, in directory: URL, progress: @escaping @Sendable (String) -> Void
    ) throws -> [TrainingSummary] {
        BLAS.setThreadCount(1)
        MemoryTuning.retainFreedMemory()
        let collect = Collect3DConfig(env: env, episodes: recipe.episodes, stepsPerEpisode: recipe.stepsPerEpisode, rung: rung, seed: recipe.seed)
        let data = try collectTransitions3D(collect)
        let layout = try CloudLayout.forEnv(env)
        return try kinds.map { kind in
            let spec = ModelOverrides().cloudSpec(kind: kind, points: layout.channels, scale: 4)
            let config = Train3DConfig(env: env, model: spec, rung: rung, steps: recipe.steps, seed: recipe.seed, collect: collect)
            return try train(
                try CloudJEPATrainer(config: config, data: data), transitions: data.count, name: kind.rawValue, env: env, kind: kind,
                slice: config.sliceName, steps: recipe.steps, in: directory, progress: progress)
        }
    }

    static func train(
        _ trainer: some ResumableTrainer, transitions: Int, name: String, env: String, kind: ModelKind, slice: String, steps: Int, in directory: URL,
        progress: @escaping @Sendable (String) -> Void
    ) throws -> TrainingSummary {
        let run = TrainingRun(
            directory: directory.appendingPathComponent(name), steps: steps, logEvery: max(1, steps / 20), checkpointEvery: steps,
            command: "ewm-sim reproduce (\(env) \(name))", env: env, model: kind.rawValue, slice: slice)
        return try run.run(trainer, transitions: transitions) { m in
            if m.step % max(1, steps / 10) == 0 { progress("\(name) step \(m.step)/\(steps)") }
        }
    }
}
