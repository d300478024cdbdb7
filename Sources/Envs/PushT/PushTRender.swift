/// Everything the PushT renderer draws, in world coordinates.
struct PushTScene {
    /// The walls are drawn rotated by this (the orientation of the world being shown).
    var wallRotation: PlanarRotation
    var agent: Vec2
    var block: Pose
    var goal: Pose
    var action: Vec2?
}

enum PushTRenderer {
    // Placeholder until the raster canvas lands: a white frame.
    static func draw(_ scene: PushTScene, width: Int, height: Int, action: Vec2?) -> Frame {
        Frame(width: width, height: height, rgb: Array(repeating: 255, count: width * height * 3))
    }
}
