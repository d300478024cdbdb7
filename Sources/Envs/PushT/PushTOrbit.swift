import Foundation

/// Measures how exactly PushT at orientation theta is the rotated copy of canonical PushT.
///
/// For each seed: run canonical PushT under the scripted pusher and record its actions; run PushT at
/// theta (in the chosen build) from the rotated start with the rotated actions; rotate its observations
/// back; report the largest distance, in pixels, between corresponding T keypoints and agent positions,
/// after every step.
public enum PushTOrbit {
    public struct Report: Codable, Sendable {
        public var orientation: Double
        public var build: String
        public var episodes: Int
        public var steps: Int
        /// max over episodes of the deviation after step t (index 0 = after reset), px.
        public var maxDeviationByStep: [Double]
        /// Median over episodes of the deviation after step t, px.
        public var medianDeviationByStep: [Double]
        public var maxDeviation: Double { maxDeviationByStep.max() ?? 0 }
        public func maxDeviation(atStep t: Int) -> Double { maxDeviationByStep[min(t, maxDeviationByStep.count - 1)] }
    }

    public static func measure(orientation theta: Double, build: RotationBuild, seeds: [UInt64], steps: Int) throws -> Report {
        let g = PlanarRotation(angle: theta, center: PushTGeometry.workspaceCenter)
        var perStep = Array(repeating: [Double](), count: steps + 1)
        for seed in seeds {
            let canonical = PushTEnv(observationType: .keypoints)
            var obs = try canonical.reset(seed: seed).observation
            var reference = [obs.values]
            var actions: [[Double]] = []
            for _ in 0..<steps {
                let a = ScriptedPusher.action(state: canonical.state)
                actions.append(a)
                obs = try canonical.step(a).observation
                reference.append(obs.values)
            }
            var options = MakeOptions(observation: "keypoints", orientation: theta, rotation: build)
            options.timeLimit = false
            let oriented = try PushTEnv.make(options)
            var rotated = [try oriented.reset(seed: seed).observation.values]
            for a in actions {
                let p = g.apply(point: Vec2(a[0], a[1]))
                rotated.append(try oriented.step([p.x, p.y]).observation.values)
            }
            for t in 0...steps { perStep[t].append(deviation(rotated[t], reference[t], g)) }
        }
        return Report(
            orientation: theta, build: build.rawValue, episodes: seeds.count, steps: steps,
            maxDeviationByStep: perStep.map { $0.max() ?? 0 },
            medianDeviationByStep: perStep.map { median($0) })
    }

    /// max_k |g^-1 rotated_k - reference_k| over the 9 points of a keypoints observation.
    static func deviation(_ rotated: [Double], _ reference: [Double], _ g: PlanarRotation) -> Double {
        var worst = 0.0
        for k in 0..<(rotated.count / 2) {
            let back = g.inverse.apply(point: Vec2(rotated[2 * k], rotated[2 * k + 1]))
            worst = max(worst, (back - Vec2(reference[2 * k], reference[2 * k + 1])).length)
        }
        return worst
    }

    static func median(_ v: [Double]) -> Double {
        guard !v.isEmpty else { return 0 }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
}
