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

/// Hand-run: writes sample files for inspection and for checking them with numpy / a browser.
/// `EWMIO_ARTIFACTS=/tmp/ewmio swift test --scratch-path .build-io --filter EWMIOArtifacts`
@Suite(.enabled(if: ProcessInfo.processInfo.environment["EWMIO_ARTIFACTS"] != nil))
struct EWMIOArtifacts {
    @Test func writeSamples() throws {
        let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment["EWMIO_ARTIFACTS"]!)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var canvas = Canvas(width: 96, height: 96, world: (0, 0, 512, 512), background: .white)
        var frames: [RGBImage] = []
        for i in 0..<40 {
            EWMIOBenchmarks.drawPushTScene(&canvas, blockAngle: Double(i) * 0.08)
            canvas.drawCross(center: (400, 120), size: 40, thickness: 6, angle: .pi / 4, color: RGB(200, 30, 30))
            frames.append(canvas.image)
        }
        try PNG.write(frames[0], to: directory.appendingPathComponent("scene96.png"))
        try PNG.write(frames[0].upscaled(by: 4), to: directory.appendingPathComponent("scene96x4.png"))
        var large = Canvas(width: 512, height: 512, world: (0, 0, 512, 512), background: .white)
        EWMIOBenchmarks.drawPushTScene(&large, blockAngle: 0.5)
        try PNG.write(large.image, to: directory.appendingPathComponent("scene512.png"))
        try APNG.write(frames, fps: 10, to: directory.appendingPathComponent("scene.apng.png"))
        try HTMLAnimation.write(
            frames: frames, fps: 10, title: "PushT sample", captions: frames.indices.map { "frame \($0)" },
            to: directory.appendingPathComponent("scene.html"))

        var plot = LinePlot(title: "Equivariance error vs rotation", xLabel: "rotation angle (deg)", yLabel: "relative error")
        let xs = (0...24).map { Double($0) * 15 }
        plot.addSeries(
            name: "VN world model", x: xs, y: xs.map { 0.02 + 0.005 * sin($0 / 40) }, color: RGB(200, 40, 40),
            errorBars: xs.map { _ in 0.004 })
        plot.addSeries(name: "MLP world model", x: xs, y: xs.map { 0.1 + 0.3 * abs(sin($0 * .pi / 360)) }, color: RGB(40, 80, 200))
        try PNG.write(plot.render(), to: directory.appendingPathComponent("plot.png"))
        var log = LinePlot(title: "Training loss", xLabel: "step", yLabel: "loss", width: 600, height: 400, logY: true)
        log.addSeries(name: "train", x: (1...200).map(Double.init), y: (1...200).map { 2 * exp(-Double($0) / 30) + 1e-3 }, color: RGB(0, 140, 70))
        try PNG.write(log.render(), to: directory.appendingPathComponent("plot_log.png"))

        let arrays: [(String, NpyArray)] = [
            ("obs", try NpyArray(float64: [0.5, -1.25, 3, 1e-300, .infinity, -0.0], shape: [2, 3])),
            ("act", try NpyArray(float32: [1.5, -2.5], shape: [2])),
            ("idx", try NpyArray(int64: [0, -7, 1 << 40], shape: [3])),
            ("small", try NpyArray(int32: [1, -2, 3, Int32.max], shape: [2, 2])),
            ("pix", try NpyArray(uint8: [0, 1, 2, 3, 4, 5], shape: [1, 2, 3])),
            ("done", try NpyArray(bool: [true, false, true], shape: [3])),
            ("scalar", try NpyArray(float64: [2.5], shape: [])),
            ("empty", try NpyArray(float32: [], shape: [0, 3])),
            ("next.reward", try NpyArray(float64: [0.25], shape: [1])),
            ("frames", try NpyArray(uint8: frames.prefix(5).flatMap(\.pixels), shape: [5, 96, 96, 3])),
        ]
        try Npz.write(arrays, to: directory.appendingPathComponent("swift_stored.npz"))
        try Npz.write(arrays, to: directory.appendingPathComponent("swift_compressed.npz"), compressed: true)
        for name in ["numpy_stored.npz", "numpy_compressed.npz"] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let read = try Npz.read(from: url)
            var lines: [String] = []
            for key in read.keys.sorted() {
                let array = read[key]!
                let values = array.dtype.isFloatingPoint ? try array.doubles().map { String($0.bitPattern) } : try array.int64s().map { String($0) }
                lines.append("\(key) \(array.dtype.rawValue) \(array.shape) \(values.joined(separator: ","))")
            }
            try writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: url.appendingPathExtension("swift.txt"))
        }
    }
}
