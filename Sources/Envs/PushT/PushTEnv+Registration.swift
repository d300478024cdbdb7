import EWMIO
import Foundation

extension PushTEnv {
    /// PushT's registration: the env, and how models, collection and planners read it.
    public static let registration = EnvRegistration(
        id: "pusht", summary: "Push the T onto the goal; gym-pusht 0.1.8 dynamics on Box2D",
        observationTypes: ObservationType.allCases.map(\.rawValue), extraOptions: ["reset-order"],
        adapters: EnvAdapters(
            model: ModelReading(
                observationType: ObservationType.keypoints.rawValue, dimension: 2, pointsPerFrame: 9,
                center: [PushTGeometry.workspaceCenter.x, PushTGeometry.workspaceCenter.y], scale: 100,
                action: .point, agentIndex: 16, bodyPoints: 8),
            collection: CollectionAdapter(
                starts: [
                    "goal-region": { theta, spread, rng in startState(goalRegion: true, theta: theta, angleSpread: spread, using: &rng) },
                    "half-plane": { theta, spread, rng in startState(goalRegion: false, theta: theta, angleSpread: spread, using: &rng) },
                ],
                explorer: { s in
                    ExploratoryPusher(
                        rotation: PlanarRotation(angle: s.orientation, center: PushTGeometry.workspaceCenter),
                        randomFraction: s.randomFraction, localRandomStd: s.localRandomStd, seed: s.seed)
                },
                policies: [
                    "expert": { s in
                        PushTExpert(
                            rotation: PlanarRotation(angle: s.orientation, center: PushTGeometry.workspaceCenter), actionNoise: s.actionNoise,
                            seed: s.seed)
                    }
                ]),
            planning: PlanningPresets(
                center: [PushTGeometry.workspaceCenter.x, PushTGeometry.workspaceCenter.y],
                actionLow: [0, 0], actionHigh: [512, 512], invariantRadius: 256),
            goalProtocols: PushTProtocol.allCases),
        run: RunPresets(
            figures: [RunPresets.Figure(key: "coverage", label: "coverage")],
            orbitUnits: PushTOrbit.units
        ) { _, options in
            // The reference's feedback pusher, in the frame of the orientation (either build).
            ScriptedPusher(rotation: PlanarRotation(angle: options.orientation, center: PushTGeometry.workspaceCenter))
        }
    ) { options in try PushTEnv.make(options) }

    /// Collection starts at orientation theta. `goalRegion`: the T's origin uniform in (256 +- 100)^2, angle pi/4 +-
    /// `angleSpread`, the agent uniform in [50, 450]^2 (anisotropic: the goal breaks the symmetry, as demonstration data
    /// does). Otherwise the half plane: the T's origin in [306, 406] x [156, 356], the agent in [256, 450] x [50, 450].
    static func startState(goalRegion: Bool, theta: Double, angleSpread: Double, using rng: inout SplitMix64) -> [Double] {
        let s: [Double]
        if goalRegion {
            s = [
                Double.random(in: 50...450, using: &rng), Double.random(in: 50...450, using: &rng),
                Double.random(in: 156...356, using: &rng), Double.random(in: 156...356, using: &rng),
                Double.pi / 4 + Double.random(in: -angleSpread...angleSpread, using: &rng),
            ]
        } else {
            s = [
                Double.random(in: 256...450, using: &rng), Double.random(in: 50...450, using: &rng),
                Double.random(in: 306...406, using: &rng), Double.random(in: 156...356, using: &rng),
                Double.pi / 4 + Double.random(in: -angleSpread...angleSpread, using: &rng),
            ]
        }
        return PlanarRotation(angle: theta, center: PushTGeometry.workspaceCenter).act(onState: s)
    }

    /// The registry's factory: the orientation in the requested build.
    public static func make(_ options: MakeOptions) throws -> any Environment {
        var config = Config()
        if let name = options.observation {
            guard let type = ObservationType(rawValue: name) else { throw EnvError.invalidArgument("unknown PushT observation '\(name)'") }
            config.observationType = type
        }
        if let order = options.extra["reset-order"] {
            guard let o = ResetOrder(rawValue: order) else { throw EnvError.invalidArgument("unknown reset order '\(order)' (legacy, angle-first)") }
            config.resetOrder = o
        }
        switch options.rotation {
        case .world:
            config.worldRotation = options.orientation
            return PushTEnv(config: config)
        case .frame:
            let env = PushTEnv(config: config)
            return options.orientation == 0 ? env : OrientationWrapper(env, angle: options.orientation)
        }
    }
}
