import Foundation

/// What differs between a run's stored configuration and the one a command asks for, named by the flags that set it
/// (`train --resume` with other flags).
public enum ConfigDifference {
    /// The flag that sets each stored key path (paths not listed are named by their path).
    static let flags: [String: String] = [
        "env": "--env", "steps": "--steps", "batch": "--batch", "regularizer": "--loss", "regWeight": "--reg-weight",
        "muonLearningRate": "--muon-lr", "adamLearningRate": "--adam-lr", "weightDecay": "--weight-decay", "emaDecay": "--ema",
        "warmup": "--warmup", "seed": "--seed", "softWeight": "--soft-weight", "rolloutSteps": "--rollout-steps",
        "observationWeight": "--observation-weight", "relativeActions": "--relative-actions", "slice": "--slice", "rung": "--slice",
        "dataDirectory": "--data",
        "model.kind": "--model", "model.hiddenScale": "--hidden-scale / --scale", "model.mlpBias": "--mlp-bias",
        "model.config.encoderWidths": "--encoder-widths", "model.config.predictorWidths": "--predictor-widths",
        "model.config.latentChannels": "--latent", "model.config.eps": "--vn-eps", "model.config.residual": "--residual",
        "model.config.observationInLatent": "--observation-in-latent", "model.config.gatedDirections": "--gated-directions",
        "model.config.inputChannels": "--history / --previous-action / --agent-velocity", "collect.episodes": "--episodes",
        "collect.stepsPerEpisode": "--episode-steps", "collect.policy": "--policy", "collect.randomFraction": "--random-fraction",
        "collect.randomStd": "--random-std", "collect.start": "--start", "collect.angleSpread": "--angle-spread",
        "collect.history": "--history", "collect.frameskip": "--frameskip", "collect.previousAction": "--previous-action",
        "collect.agentVelocity": "--agent-velocity",
        "collect.seed": "--seed", "collect.orientations": "--slice", "collect.rung": "--slice", "collect.startSpread": "--start-spread",
        "collect.actionRadius": "--action-radius",
    ]

    /// One line per differing value: "--batch: the checkpoint has 256, this run 128". Empty when the two are equal.
    public static func lines<T: Encodable>(stored: T, requested: T) throws -> [String] {
        let a = try flatten(stored), b = try flatten(requested)
        return Set(a.keys).union(b.keys).sorted().compactMap { path in
            guard a[path] != b[path] else { return nil }
            let name = flags[path] ?? flags[path.components(separatedBy: ".").prefix(2).joined(separator: ".")] ?? path
            return "\(name) (\(path)): the checkpoint has \(a[path] ?? "nothing"), this run \(b[path] ?? "nothing")"
        }
    }

    /// The value's JSON as key path -> rendered leaf (arrays whole).
    static func flatten<T: Encodable>(_ value: T) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out: [String: String] = [:]
        func walk(_ node: Any, _ path: String) {
            if let object = node as? [String: Any] {
                for (k, v) in object { walk(v, path.isEmpty ? k : "\(path).\(k)") }
            } else if let data = try? JSONSerialization.data(withJSONObject: node, options: [.fragmentsAllowed, .sortedKeys]) {
                out[path] = String(decoding: data, as: UTF8.self)
            }
        }
        walk(try JSONSerialization.jsonObject(with: try encoder.encode(value), options: [.fragmentsAllowed]), "")
        return out
    }
}
