import Foundation

extension Push3DEnv {
    /// The world-model adapters of the push3d world `config` (any shape, any number of objects), what `collect`,
    /// `train` and `eval closed-loop` read through the registry:
    /// - model: the `scene` observation (object clouds, then the pusher; the goals are the task's, not the
    ///   dynamics') read as points about the centroid of all object keypoints (an equivariant reference point, and
    ///   invariant under relabelling the objects); actions are target points seen as offsets from it;
    /// - collection: episodes at g from `orientedStart` (objects near their own orientation, within the collection's
    ///   start spread) moved by g, in the frame build; the named policy `scripted` is the env's scripted pusher
    ///   (`Push3DPusher`, equivariant) with the collection's action noise (m, drawn in the canonical frame);
    /// - planning: pusher targets in the unit box about the origin (the env's action box);
    /// - goals: `Push3DGoalProtocol` (scripted-goal, and scripted-segment: 10-step segments of the scripted pusher's run).
    public static func adapters(config: Config) -> EnvAdapters {
        var sceneConfig = config
        sceneConfig.observationType = .scene
        sceneConfig.world = .identity
        let scene = sceneConfig
        let env = Push3DEnv(config: scene)
        let body = env.objectCount * env.shape.keypoints.count
        let (boundingRadius, pusherRadius) = (env.shape.boundingRadius, env.physics.config.pusherRadius)
        return EnvAdapters(
            model: ModelReading(
                observationType: ObservationType.scene.rawValue, dimension: 3, pointsPerFrame: body + 1, center: nil, referencePoints: body,
                scale: 1, action: .offsetFromReference, bodyPoints: body),
            collection: CollectionAdapter(
                policies: [
                    "scripted": { s in
                        Push3DPusher(
                            boundingRadius: boundingRadius, pusherRadius: pusherRadius, noise: s.actionNoise,
                            noiseFrame: s.element?.rotation ?? .rotation(axis: Vec3(0, 0, 1), angle: s.orientation), seed: s.seed)
                    }
                ],
                spatialEpisode: { g, spread, rng in
                    let base = Push3DEnv(config: scene)
                    return SpatialEpisode(env: base.oriented(at: g), start: base.act(g, onState: base.orientedStart(spread: spread, using: &rng)))
                }),
            planning: PlanningPresets(center: [0, 0, 0], actionLow: [-1, -1, -1], actionHigh: [1, 1, 1], invariantRadius: 1),
            goalProtocols: [Push3DGoalProtocol(config: scene), Push3DGoalProtocol(config: scene, settings: .segment)])
    }

    /// The default world of a registered id (push3d: one T; push3d-multi: three boxes), as `make` builds it.
    public static func defaultConfig(multi: Bool) -> Config {
        var config = Config(shape: multi ? .box : .t, objectCount: multi ? 3 : 1)
        if multi { config.maxEpisodeSteps = 300 }
        return config
    }
}
