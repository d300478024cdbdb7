import EWMIO
import Foundation
import Testing

/// Hand-run timings (no asserts on time). Run with:
/// `EWMIO_BENCH=1 swift test -c release --scratch-path .build-io --filter EWMIOBenchmarks`
@Suite(.enabled(if: ProcessInfo.processInfo.environment["EWMIO_BENCH"] == "1"))
struct EWMIOBenchmarks {
    /// A PushT-like frame: 4 wall capsules, a goal T (two rectangles at 45 degrees), the block T
    /// at an arbitrary angle, and the agent disc, in a 512 x 512 world.
    static func drawPushTScene(_ canvas: inout Canvas, blockAngle: Double) {
        canvas.clear(RGB(255, 255, 255))
        let wall = RGB(40, 40, 40)
        canvas.strokeSegment(from: (5, 506), to: (5, 5), width: 4, color: wall)
        canvas.strokeSegment(from: (5, 5), to: (506, 5), width: 4, color: wall)
        canvas.strokeSegment(from: (506, 5), to: (506, 506), width: 4, color: wall)
        canvas.strokeSegment(from: (5, 506), to: (506, 506), width: 4, color: wall)
        func tee(_ cx: Double, _ cy: Double, _ angle: Double) -> [[(x: Double, y: Double)]] {
            let c = cos(angle), s = sin(angle)
            func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [(x: Double, y: Double)] {
                [(x0, y0), (x1, y0), (x1, y1), (x0, y1)].map { p in (x: cx + c * p.0 - s * p.1, y: cy + s * p.0 + c * p.1) }
            }
            return [rect(-60, 0, 60, 30), rect(-15, 30, 15, 120)]
        }
        let goal = tee(256, 256, .pi / 4)
        canvas.fillPolygon(goal[0], color: RGB(144, 238, 144))
        canvas.fillPolygon(goal[1], color: RGB(144, 238, 144))
        let block = tee(300, 200, blockAngle)
        canvas.fillPolygon(block[0], color: RGB(119, 136, 153))
        canvas.fillPolygon(block[1], color: RGB(119, 136, 153))
        canvas.fillCircle(center: (150, 380), radius: 15, color: RGB(65, 105, 225))
    }

    static func measure(_ label: String, iterations: Int, _ body: () -> Void) -> Double {
        for _ in 0..<max(1, iterations / 10) { body() }
        var best = Double.infinity
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { body() }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations) / 1000
            best = min(best, elapsed)
        }
        print("BENCH \(label): \(String(format: "%.2f", best)) us/iter (best of 5 x \(iterations))")
        return best
    }

    @Test func canvasPushTScene() {
        var canvas = Canvas(width: 96, height: 96, world: (0, 0, 512, 512), background: RGB(255, 255, 255), supersample: 4)
        var angle = 0.0
        _ = Self.measure("canvas 96x96 ss4 PushT scene", iterations: 20000) {
            angle += 0.001
            Self.drawPushTScene(&canvas, blockAngle: angle)
        }
        var big = Canvas(width: 512, height: 512, world: (0, 0, 512, 512), background: RGB(255, 255, 255), supersample: 4)
        _ = Self.measure("canvas 512x512 ss4 PushT scene", iterations: 500) {
            angle += 0.001
            Self.drawPushTScene(&big, blockAngle: angle)
        }
    }

    @Test func pngEncode() throws {
        var canvas = Canvas(width: 96, height: 96, world: (0, 0, 512, 512), background: RGB(255, 255, 255))
        Self.drawPushTScene(&canvas, blockAngle: 0.3)
        let image = canvas.image
        var size = 0
        _ = Self.measure("PNG.encode 96x96 scene", iterations: 2000) { size = PNG.encode(image).count }
        print("BENCH PNG size \(size) bytes")
        var big = Canvas(width: 512, height: 512, world: (0, 0, 512, 512), background: RGB(255, 255, 255))
        Self.drawPushTScene(&big, blockAngle: 0.3)
        let bigImage = big.image
        _ = Self.measure("PNG.encode 512x512 scene", iterations: 50) { size = PNG.encode(bigImage).count }
        let frames = (0..<50).map { i -> RGBImage in
            Self.drawPushTScene(&canvas, blockAngle: Double(i) * 0.05)
            return canvas.image
        }
        _ = Self.measure("APNG.encode 50 frames 96x96", iterations: 5) { size = (try? APNG.encode(frames, fps: 10))?.count ?? 0 }
        try PNG.write(image, to: URL(fileURLWithPath: "/tmp/ewmio-bench-scene.png"))
        try PNG.write(bigImage, to: URL(fileURLWithPath: "/tmp/ewmio-bench-scene-512.png"))
    }
}
