import EWMIO
import Foundation

/// What the 3D renderer draws: spheres (object collision spheres, goal spheres, the pusher), the target,
/// and the workspace cube [-1, 1]^3 placed by `frame` (the transform of the world being shown).
struct Scene3D {
    enum Group: Equatable { case object(Int), goal, pusher, point(Int) }
    struct Sphere { var center: Vec3; var radius: Double; var group: Group }
    var frame: SE3Transform
    var spheres: [Sphere] = []
    var target: Vec3?
    init(frame: SE3Transform) { self.frame = frame }
}

/// Draws a 3D scene with a fixed perspective camera (eye at (2.6, -3.4, 2.2) m looking at the origin,
/// z up, 28 degree field of view) on EWMIO's `Canvas`: every sphere a disc of its projected radius,
/// painted back to front (depth sorted, ties by index), shaded darker with depth and outlined; objects
/// coloured by index, goals pale green, the pusher blue, the target a red cross, the workspace cube's
/// edges light grey. The camera is part of the picture, not of the world: a transformed world is drawn
/// transformed.
public enum Renderer3D {
    static let background = RGB(255, 255, 255)
    static let palette = [RGB(230, 126, 34), RGB(22, 160, 133), RGB(142, 68, 173), RGB(192, 57, 43), RGB(41, 128, 185), RGB(127, 140, 141)]
    static let goalColor = RGB(144, 238, 144)
    static let pusherColor = RGB(65, 105, 225)
    static let edgeColor = RGB(215, 215, 215)
    static let targetColor = RGB(255, 0, 0)

    /// The camera: eye, right/up/forward axes, focal length (image half-width = 1 at unit depth / f).
    struct Camera {
        let eye: Vec3, right: Vec3, up: Vec3, forward: Vec3
        let focal: Double
        init(eye: Vec3 = Vec3(2.6, -3.4, 2.2), target: Vec3 = .zero, fieldOfView: Double = 28 * Double.pi / 180) {
            self.eye = eye
            forward = (target - eye).normalized
            right = forward.cross(Vec3(0, 0, 1)).normalized
            up = right.cross(forward)
            focal = 1 / tan(fieldOfView / 2)
        }
        /// Image-plane coordinates in [-1, 1] (y down) and depth.
        func project(_ p: Vec3) -> (x: Double, y: Double, depth: Double) {
            let d = p - eye
            let z = max(d.dot(forward), 1e-6)
            return (focal * d.dot(right) / z, -focal * d.dot(up) / z, z)
        }
    }

    static func draw(_ scene: Scene3D, width: Int, height: Int) -> RGBImage {
        let camera = Camera()
        let aspect = Double(width) / Double(height)
        var canvas = Canvas(width: width, height: height, world: (-aspect, -1, aspect, 1), background: background, supersample: 3)
        // Workspace cube edges.
        let corners = (0..<8).map { i in scene.frame.apply(point: Vec3(i & 1 == 0 ? -1 : 1, i & 2 == 0 ? -1 : 1, i & 4 == 0 ? -1 : 1)) }
        for i in 0..<8 {
            for bit in [1, 2, 4] where i & bit == 0 {
                let a = camera.project(corners[i]), b = camera.project(corners[i | bit])
                canvas.strokeSegment(from: (a.x, a.y), to: (b.x, b.y), width: 0.006, color: edgeColor)
            }
        }
        // Spheres, back to front.
        let projected = scene.spheres.map { camera.project($0.center) }
        guard let near = projected.map(\.depth).min(), let far = projected.map(\.depth).max() else { return canvas.image }
        let order = projected.indices.sorted { projected[$0].depth != projected[$1].depth ? projected[$0].depth > projected[$1].depth : $0 < $1 }
        for i in order {
            let s = scene.spheres[i], p = projected[i]
            let r = camera.focal * s.radius / p.depth
            let base: RGB
            switch s.group {
            case .object(let k), .point(let k): base = palette[k % palette.count]
            case .goal: base = goalColor
            case .pusher: base = pusherColor
            }
            let shade = far > near ? (p.depth - near) / (far - near) : 0
            let fill = base.mixed(with: .black, 0.35 * shade)
            if s.group != .goal { canvas.fillCircle(center: (p.x, p.y), radius: r, color: base.mixed(with: .black, 0.45)) }
            canvas.fillCircle(center: (p.x, p.y), radius: s.group == .goal ? r : r * 0.82, color: fill)
        }
        if let t = scene.target {
            let p = camera.project(t)
            canvas.drawCross(center: (p.x, p.y), size: 0.06, thickness: 0.012, color: targetColor)
        }
        return canvas.image
    }
}
