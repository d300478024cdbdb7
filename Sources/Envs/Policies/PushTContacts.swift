import Foundation

/// Where a round pusher can touch PushT's T, in the T's own (body-local) frame: points sampled along the T's outline
/// with their outward normals, and the distances a planner needs to reach them without touching the T elsewhere.
/// With gym-pusht's frictionless contacts and no-memory damping the T moves quasi-statically: a push at contact point c
/// along the inward normal n moves its centre of gravity along n and turns it by ((c - cog) x n) / I per unit of
/// translation (mass 1, moment I = 3000 about the centre of gravity).
public enum PushTContacts {
    /// One place to push: a point on the outline and the outward normal there (body-local).
    public struct Candidate: Sendable, Equatable {
        public var point: Vec2
        public var normal: Vec2
    }

    /// The T's outline, counter-clockwise (y up): the bar (y 0...30) and the stem (y 30...120).
    public static let outline: [Vec2] = [
        Vec2(-60, 0), Vec2(60, 0), Vec2(60, 30), Vec2(15, 30), Vec2(15, 120), Vec2(-15, 120), Vec2(-15, 30), Vec2(-60, 30),
    ]

    /// Outline points every `spacing` px, kept `inset` px from each edge's ends (a corner has no single normal).
    public static func candidates(spacing: Double = 5, inset: Double = 3) -> [Candidate] {
        var result: [Candidate] = []
        for i in 0..<outline.count {
            let a = outline[i], b = outline[(i + 1) % outline.count]
            let edge = b - a
            let length = edge.length
            let along = edge * (1 / length)
            let normal = Vec2(along.y, -along.x)
            let usable = length - 2 * inset
            let count = max(1, Int((usable / spacing).rounded(.down)) + 1)
            for j in 0..<count {
                let t = count == 1 ? length / 2 : inset + usable * Double(j) / Double(count - 1)
                result.append(Candidate(point: a + along * t, normal: normal))
            }
        }
        return result
    }

    /// The default candidate set (every 5 px).
    public static let standard = candidates()

    /// Distance from a body-local point to the T (0 on or inside it).
    public static func distance(local p: Vec2) -> Double {
        min(boxDistance(p, low: Vec2(-60, 0), high: Vec2(60, 30)), boxDistance(p, low: Vec2(-15, 30), high: Vec2(15, 120)))
    }

    /// True when a disc of `radius` moved straight from `a` to `b` (body-local) keeps at least `radius` from the T, or
    /// never comes closer than it starts (a pusher in contact may leave), checked every 2 px along the way.
    public static func isClear(from a: Vec2, to b: Vec2, radius: Double) -> Bool {
        let length = (b - a).length
        let limit = min(radius, distance(local: a)) - 0.5
        let n = max(1, Int((length / 2).rounded(.up)))
        for i in 1...n where distance(local: a + (b - a) * (Double(i) / Double(n))) < limit { return false }
        return true
    }

    private static func boxDistance(_ p: Vec2, low: Vec2, high: Vec2) -> Double {
        let dx = max(low.x - p.x, 0, p.x - high.x), dy = max(low.y - p.y, 0, p.y - high.y)
        return (dx * dx + dy * dy).squareRoot()
    }
}
