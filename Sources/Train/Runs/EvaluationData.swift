import Foundation

/// The held-out data `eval one-step` and `eval rollout` measure planar checkpoints on: given canonical-frame
/// transitions (shards of one directory, read once for every checkpoint), or episodes collected with each
/// checkpoint's own collection settings at orientation 0 and another seed (collected once per distinct setting).
public enum EvaluationData {
    /// The offset of the held-out seed from the run's collection seed.
    public static let seedOffset: UInt64 = 1_000_003

    /// Each checkpoint in `checkpoints` with its data. With `data`, the shards must fit the model's observation and
    /// action sizes and be canonical (orientation 0: the evaluation rotates them itself); else `episodes` episodes
    /// are collected with seed `dataSeed` (default: the run's seed + `seedOffset`).
    public static func load(checkpoints: [String], data: String?, episodes: Int, dataSeed: UInt64?) throws -> [(TrainedWorldModel, TransitionSet)] {
        var cache: [String: TransitionSet] = [:]
        var given: TransitionSet?
        return try checkpoints.map { path in
            let model = try TrainedWorldModel(url: URL(fileURLWithPath: path))
            if let data {
                if given == nil { given = try TransitionSet.readShards(from: URL(fileURLWithPath: data), env: model.layout.env) }
                let set = given!
                try check(set, fits: model, data: data, checkpoint: path)
                return (model, set)
            }
            let c = try heldOutConfig(model.train.collect, episodes: episodes, seed: dataSeed)
            let key = try String(decoding: JSONEncoder().encode(c), as: UTF8.self)
            if cache[key] == nil { cache[key] = try collectTransitions(c) }
            return (model, cache[key]!)
        }
    }

    /// The collection settings of held-out data for a run collected with `collect`.
    public static func heldOutConfig(_ collect: CollectConfig, episodes: Int, seed: UInt64?) throws -> CollectConfig {
        var c = collect
        c.episodes = episodes
        c.orientations = try OrientationSlice(lo: 0, hi: 0)
        c.seed = seed ?? (c.seed &+ seedOffset)
        return c
    }

    /// Throws unless `set` has the model's observation and action sizes and was recorded at orientation 0.
    public static func check(_ set: TransitionSet, fits model: TrainedWorldModel, data: String, checkpoint path: String) throws {
        guard set.observationSize == model.layout.observationSize, set.actionSize == model.layout.actionSize else {
            throw DataError(
                "--data \(data) holds \(set.observationSize)-number observations and \(set.actionSize)-number actions; \(path) takes \(model.layout.observationSize) and \(model.layout.actionSize)"
            )
        }
        guard set.orientations.allSatisfy({ $0 == 0 }) else {
            throw DataError("--data \(data): the evaluation rotates canonical-frame transitions itself; these were recorded at other orientations")
        }
    }
}
