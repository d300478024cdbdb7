import Foundation

/// The numbers that define PushT, as gym-pusht 0.1.8 has them (see `shared/spec/pusht.md`).
/// Pixel units; the workspace is 512 x 512 with pymunk's y axis.
public enum PushTGeometry {
    /// The T's two convex boxes in body-local coordinates, in the reference's keypoint order:
    /// bar (-60,0),(60,0),(60,30),(-60,30); stem (-15,30),(15,30),(15,120),(-15,120).
    public static let bar: [Vec2] = [Vec2(-60, 0), Vec2(60, 0), Vec2(60, 30), Vec2(-60, 30)]
    public static let stem: [Vec2] = [Vec2(-15, 30), Vec2(15, 30), Vec2(15, 120), Vec2(-15, 120)]
    public static var boxes: [[Vec2]] { [bar, stem] }

    /// Centre of gravity, body-local: the plain mean of the two boxes' centroids (0,15) and (0,75).
    public static let centerOfGravity = Vec2(0, 45)
    public static let mass = 1.0
    /// The reference's quirk: the bar's moment about the local origin (1500) counted twice.
    public static let momentOfInertia = 3000.0
    /// Area of the T (3600 + 2700), the denominator of coverage.
    public static let area = 6300.0

    public static let agentRadius = 15.0
    public static let agentStart = Vec2(256, 400)
    public static let blockStart = Vec2(256, 300)

    /// Four static segments of radius 2.
    public static let walls: [(Vec2, Vec2)] = [
        (Vec2(5, 506), Vec2(5, 5)), (Vec2(5, 5), Vec2(506, 5)),
        (Vec2(506, 5), Vec2(506, 506)), (Vec2(5, 506), Vec2(506, 506)),
    ]
    public static let wallRadius = 2.0

    /// Goal pose (x, y, angle): the T's local frame placed there (the goal body's CoG is its origin).
    public static let goalPose = Pose(x: 256, y: 256, angle: Double.pi / 4)
    public static let workspaceCenter = Vec2(256, 256)
    public static let workspaceSize = 512.0

    public static let successThreshold = 0.95
    public static let maxEpisodeSteps = 300

    // Control and stepping.
    public static let kP = 100.0
    public static let kV = 20.0
    public static let dt = 0.01
    public static let substeps = 10
}

/// A planar pose: the position of a body's local origin and its angle.
public struct Pose: Equatable, Sendable, Codable {
    public var x: Double
    public var y: Double
    public var angle: Double
    public init(x: Double, y: Double, angle: Double) { self.x = x; self.y = y; self.angle = angle }
    public var position: Vec2 { Vec2(x, y) }

    /// Local point to world.
    @inlinable public func transform(_ p: Vec2) -> Vec2 { Vec2(x, y) + p.rotated(angle) }
}

extension PushTGeometry {
    /// The 8 corners in the reference's keypoint order (bar, then stem).
    public static let corners: [Vec2] = bar + stem

    /// The 8 keypoints of the T at a pose (body origin + angle), in the reference's order.
    public static func keypoints(at pose: Pose) -> [Vec2] {
        let c = cos(pose.angle), s = sin(pose.angle)
        return corners.map { pose.position + $0.rotated(cos: c, sin: s) }
    }

    /// The keypoints as x0, y0, ..., x7, y7 appended to `values` (no intermediate arrays: the hot path of
    /// keypoint observations).
    public static func appendKeypoints(at pose: Pose, to values: inout [Double]) {
        let c = cos(pose.angle), s = sin(pose.angle)
        for p in corners {
            values.append(pose.x + c * p.x - s * p.y)
            values.append(pose.y + s * p.x + c * p.y)
        }
    }

    /// Coverage of the goal T by the block T: area(block ∩ goal) / area(goal).
    /// The two boxes of each T do not overlap, so the intersection is the sum over the 4 box pairs,
    /// each the area of a convex polygon clip.
    public static func coverage(block: Pose, goal: Pose = goalPose) -> Double {
        CoverageGauge(goal: goal).coverage(block: block)
    }

    /// reward = clip(coverage / 0.95, 0, 1).
    public static func reward(coverage: Double) -> Double { min(max(coverage / successThreshold, 0), 1) }
}

/// Coverage of one goal pose, with the goal's boxes placed once.
public struct CoverageGauge: Sendable {
    public let goal: Pose
    private let goalBoxes: [[Vec2]]

    public init(goal: Pose = PushTGeometry.goalPose) {
        self.goal = goal
        goalBoxes = PushTGeometry.boxes.map { $0.map(goal.transform) }
    }

    public func coverage(block: Pose) -> Double {
        let c = cos(block.angle), s = sin(block.angle), p = block.position
        var overlap = 0.0
        for box in PushTGeometry.boxes {
            let placed = box.map { p + $0.rotated(cos: c, sin: s) }
            for g in goalBoxes { overlap += ConvexPolygon.intersectionArea(placed, g) }
        }
        return overlap / PushTGeometry.area
    }
}

/// Convex polygon helpers (Sutherland–Hodgman clipping in Double).
public enum ConvexPolygon {
    /// Signed area (positive for counter-clockwise in a y-up frame).
    public static func signedArea(_ p: [Vec2]) -> Double {
        guard p.count >= 3 else { return 0 }
        var a = 0.0
        for i in 0..<p.count { a += p[i].cross(p[(i + 1) % p.count]) }
        return 0.5 * a
    }

    /// Area of the intersection of two convex polygons (any winding).
    public static func intersectionArea(_ subject: [Vec2], _ clip: [Vec2]) -> Double {
        // Early out on disjoint bounding boxes, the common case away from the goal.
        func bounds(_ p: [Vec2]) -> (Double, Double, Double, Double) {
            var lo = p[0], hi = p[0]
            for q in p { lo = Vec2(min(lo.x, q.x), min(lo.y, q.y)); hi = Vec2(max(hi.x, q.x), max(hi.y, q.y)) }
            return (lo.x, lo.y, hi.x, hi.y)
        }
        let a = bounds(subject), b = bounds(clip)
        if a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1 { return 0 }
        let orientation: Double = signedArea(clip) >= 0 ? 1 : -1
        var output = subject
        for i in 0..<clip.count {
            let e0 = clip[i], e1 = clip[(i + 1) % clip.count]
            let edge = e1 - e0
            func inside(_ p: Vec2) -> Double { orientation * edge.cross(p - e0) }
            let input = output
            output.removeAll(keepingCapacity: true)
            guard var previous = input.last else { return 0 }
            var previousSide = inside(previous)
            for current in input {
                let side = inside(current)
                if side >= 0 {
                    if previousSide < 0 { output.append(previous + (previousSide / (previousSide - side)) * (current - previous)) }
                    output.append(current)
                } else if previousSide >= 0 {
                    output.append(previous + (previousSide / (previousSide - side)) * (current - previous))
                }
                previous = current
                previousSide = side
            }
        }
        return abs(signedArea(output))
    }
}
