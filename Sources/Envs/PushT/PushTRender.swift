import EWMIO

/// Everything the PushT renderer draws, in world coordinates.
struct PushTScene {
    /// The walls are drawn rotated by this (the orientation of the world being shown).
    var wallRotation: PlanarRotation
    var agent: Vec2
    var block: Pose
    var goal: Pose
    var action: Vec2?
}

/// Draws PushT as the reference does (pygame at 512 x 512, then resized), straight at the target size
/// with 4 x 4 anti-aliasing: white background; the goal T LightGreen; the walls LightGray capsules of
/// radius 2; the agent a RoyalBlue disc of radius 15 with a 1.2x lighter disc of radius 11; the block
/// filled with 1.2x LightSlateGray and outlined in LightSlateGray 4 px wide (pymunk's debug drawing).
/// Visualisation frames add the action as a red cross (the reference's `render_action`).
enum PushTRenderer {
    static let background = RGB(255, 255, 255)
    static let goalColor = RGB(144, 238, 144)  // LightGreen
    static let wallColor = RGB(211, 211, 211)  // LightGray
    static let agentColor = RGB(65, 105, 225)  // RoyalBlue
    static let agentLight = RGB(78, 126, 255)  // min(1.2 x RoyalBlue, 255)
    static let blockColor = RGB(119, 136, 153)  // LightSlateGray
    static let blockLight = RGB(142, 163, 183)  // 1.2 x LightSlateGray
    static let actionColor = RGB(255, 0, 0)

    static func draw(_ scene: PushTScene, width: Int, height: Int, action: Vec2?) -> RGBImage {
        var canvas = Canvas(width: width, height: height, world: (0, 0, 512, 512), background: background, supersample: 4)
        func placed(_ pose: Pose) -> [[(x: Double, y: Double)]] {
            let c = cos(pose.angle), s = sin(pose.angle)
            return PushTGeometry.boxes.map { box in
                box.map {
                    let p = pose.position + $0.rotated(cos: c, sin: s); return (p.x, p.y)
                }
            }
        }
        canvas.fillPolygons(placed(scene.goal), color: goalColor)
        for (a, b) in PushTGeometry.walls {
            let p = scene.wallRotation.apply(point: a), q = scene.wallRotation.apply(point: b)
            canvas.strokeSegment(from: (p.x, p.y), to: (q.x, q.y), width: 2 * PushTGeometry.wallRadius, color: wallColor)
        }
        canvas.fillCircle(center: (scene.agent.x, scene.agent.y), radius: PushTGeometry.agentRadius, color: agentColor)
        canvas.fillCircle(center: (scene.agent.x, scene.agent.y), radius: PushTGeometry.agentRadius - 4, color: agentLight)
        let block = placed(scene.block)
        canvas.fillPolygons(block, color: blockLight)
        for box in block {
            for i in box.indices {
                canvas.strokeSegment(from: box[i], to: box[(i + 1) % box.count], width: 4, color: blockColor)
            }
        }
        if let a = action {
            let size = Double(min(width, height))
            canvas.drawCross(center: (a.x, a.y), size: 8 / 96 * 512, thickness: max(1, size / 96) * 512 / size, color: actionColor)
        }
        return canvas.image
    }
}

import Foundation
