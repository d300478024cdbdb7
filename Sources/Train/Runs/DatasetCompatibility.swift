import EWMIO
import Foundation

/// The rules that decide whether a run may train on transitions collected earlier (`collect ... --out DIR`): the
/// shards' env, and the collection settings recorded in `DIR/collect.json`, must match the run's. A directory without
/// a readable `collect.json` is taken as collected with the run's own settings.
public enum DatasetCompatibility {
    /// The settings `collect` recorded beside the shards in `directory`, if any are readable. In a directory with a
    /// manifest, `collect.json` must match it (throws otherwise).
    public static func recordedConfig<Config: Decodable>(in directory: URL, as _: Config.Type = Config.self) throws -> Config? {
        let json: Data?
        if let manifest = try RunManifest.read(in: directory), manifest.files.contains(where: { $0.name == "collect.json" }) {
            json = try manifest.read("collect.json", in: directory)
        } else {
            json = try? Data(contentsOf: directory.appendingPathComponent("collect.json"))
        }
        return json.flatMap { try? JSONDecoder().decode(RecordedCollection<Config>.self, from: $0) }?.config
    }

    /// Planar data (pusht, teacher2d) in `path` for a run that would collect with `requested`: the transitions and the
    /// settings they were collected with. Throws when the env, the history, the previous-action point or the
    /// frameskip differ (the messages name the flag to pass).
    public static func load(_ path: String, requested: CollectConfig) throws -> (data: TransitionSet, collect: CollectConfig) {
        try load(path, env: requested.env, requested: requested, recordedEnv: \.env) { try check($0, against: requested, path: path) }
    }

    /// Shards in `path` and the settings they were collected with (the requested ones when none are recorded): the
    /// recorded env must be the requested one, and `check` applies the rules of the collection's kind.
    static func load<Config: Decodable>(
        _ path: String, env: String, requested: Config, recordedEnv: (Config) -> String,
        check: (Config) throws -> Void
    ) throws -> (data: TransitionSet, collect: Config) {
        let dir = URL(fileURLWithPath: path)
        let data = try TransitionSet.readShards(from: dir, env: env)
        var collect = requested
        if let recorded = try recordedConfig(in: dir, as: Config.self) {
            guard recordedEnv(recorded) == env else { throw DataError("--data \(path) holds \(recordedEnv(recorded)) transitions, not \(env)") }
            collect = recorded
        }
        try check(collect)
        return (data, collect)
    }

    /// Whether `recorded` settings fit a run with `requested` settings (history, previous action, agent velocity, frameskip).
    public static func check(_ recorded: CollectConfig, against requested: CollectConfig, path: String) throws {
        guard recorded.previousAction == requested.previousAction else {
            throw DataError("--data \(path) was collected \(recorded.previousAction ? "with" : "without") --previous-action; pass the same")
        }
        guard recorded.agentVelocity == requested.agentVelocity else {
            throw DataError("--data \(path) was collected \(recorded.agentVelocity ? "with" : "without") --agent-velocity; pass the same")
        }
        guard recorded.history == requested.history else {
            throw DataError("--data \(path) holds \(recorded.history)-frame observations; pass --history \(recorded.history)")
        }
        guard recorded.frameskip == requested.frameskip else {
            throw DataError("--data \(path) holds transitions with frameskip \(recorded.frameskip); pass --frameskip \(recorded.frameskip)")
        }
    }

    /// 3D cloud data (teacher3d) in `path` for a run that would collect with `requested`: the env and the ladder rung
    /// must match.
    public static func load(_ path: String, requested: Collect3DConfig) throws -> (data: TransitionSet, collect: Collect3DConfig) {
        try load(path, env: requested.env, requested: requested, recordedEnv: \.env) { collect in
            guard collect.rung == requested.rung else {
                throw DataError("--data \(path) was collected on the \(collect.rung.rawValue) rung, not \(requested.rung.rawValue)")
            }
        }
    }

    /// The training data: from `path` when given (checked as above), else collected now with `requested`.
    public static func trainingData(_ path: String?, requested: CollectConfig) throws -> (data: TransitionSet, collect: CollectConfig) {
        guard let path else { return (try collectTransitions(requested), requested) }
        return try load(path, requested: requested)
    }

    /// The 3D training data: from `path` when given, else collected now with `requested`.
    public static func trainingData(_ path: String?, requested: Collect3DConfig) throws -> (data: TransitionSet, collect: Collect3DConfig) {
        guard let path else { return (try collectTransitions3D(requested), requested) }
        return try load(path, requested: requested)
    }
}

/// The part of `collect.json` a training run reads back.
struct RecordedCollection<Config: Decodable>: Decodable {
    var config: Config
}
