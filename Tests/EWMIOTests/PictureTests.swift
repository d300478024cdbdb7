@testable import EWMIO
import Foundation
import Testing

@Suite struct PlotTests {
    @Test func glyphTableIsWellFormed() {
        for (character, rows) in BitmapFont.source {
            let split = rows.split(separator: " ")
            #expect(split.count == 7, "glyph \(character)")
            #expect(split.allSatisfy { $0.count == 5 && $0.allSatisfy { ".#".contains($0) } }, "glyph \(character)")
        }
        #expect(BitmapFont.glyphs.count == BitmapFont.source.count)
        for scalar in 32...126 {
            let c = Character(Unicode.Scalar(UInt8(scalar)))
            #expect(BitmapFont.glyphs[c] != nil, "missing glyph for \(c)")
        }
        #expect(BitmapFont.size(of: "ab", scale: 2) == (22, 14))
    }

    @Test func textRendersHorizontallyAndVertically() {
        var image = RGBImage(width: 40, height: 40, fill: .white)
        BitmapFont.draw("L", into: &image, x: 2, y: 3, color: .black)
        #expect(image[2, 3] == .black && image[2, 9] == .black && image[6, 9] == .black && image[6, 3] == .white)
        var vertical = RGBImage(width: 40, height: 40, fill: .white)
        BitmapFont.draw("L", into: &vertical, x: 2, y: 3, color: .black, vertical: true)
        // Rotated counter-clockwise: the L's vertical stroke becomes the bottom row of its 7 x 5 box.
        #expect(vertical.countPixels(notEqualTo: .white) == image.countPixels(notEqualTo: .white))
        #expect(vertical[2, 7] == .black && vertical[8, 7] == .black && vertical[8, 3] == .black)
        BitmapFont.draw("clipped text", into: &image, x: 30, y: 36, scale: 3, color: .black)  // must not crash
    }

    @Test func lineplotRendersSeriesAxesAndLegend() {
        var plot = LinePlot(title: "Invariance error", xLabel: "rotation (deg)", yLabel: "error")
        let xs = (0...36).map { Double($0) * 10 }
        plot.addSeries(name: "VN encoder", x: xs, y: xs.map { 1e-6 + 0 * $0 }, color: RGB(220, 50, 50))
        plot.addSeries(
            name: "MLP encoder", x: xs, y: xs.map { 0.3 + 0.2 * sin($0 * .pi / 180) }, color: RGB(40, 90, 220),
            errorBars: xs.map { _ in 0.05 })
        let image = plot.render()
        #expect(image.width == 800 && image.height == 500)
        let nonBackground = image.countPixels(notEqualTo: .white)
        #expect(nonBackground > 5000, "only \(nonBackground) drawn pixels")
        let colors = Set((0..<(image.width * image.height)).map { image[$0 % image.width, $0 / image.width] })
        #expect(colors.contains(RGB(220, 50, 50)) && colors.contains(RGB(40, 90, 220)))
        #expect(colors.contains(RGB(30, 30, 30)))  // axes and text ink
    }

    @Test func logPlotsAndAwkwardData() {
        var log = LinePlot(title: "loss", xLabel: "step", yLabel: "mse", width: 400, height: 300, logY: true)
        log.addSeries(name: "train", x: [1, 2, 3, 4, 5], y: [1, 0.1, 0.01, .nan, 0], color: RGB(0, 128, 0), errorBars: [0.5, 2, 0.001, 1, 1])
        #expect(log.render().countPixels(notEqualTo: .white) > 1000)
        let axes = log.axes()
        #expect(axes.y.lower == -3 && axes.y.upper == 1)  // 0.009 ... 2.1 (with error bars) widened to whole decades
        #expect(axes.y.ticks.map(\.label) == ["0.001", "0.01", "0.1", "1", "10"])

        var empty = LinePlot(title: "", xLabel: "", yLabel: "", width: 200, height: 150)
        #expect(empty.render().countPixels(notEqualTo: .white) > 100)  // axes only
        empty.addSeries(name: "one", x: [3], y: [3], color: .black)
        empty.addSeries(name: "", x: [.infinity], y: [1], color: .black)
        #expect(empty.render().countPixels(notEqualTo: .white) > 100)
    }

    @Test func axisTicksAreNice() {
        let axis = PlotAxis.linear(minimum: 0.13, maximum: 0.92, targetTicks: 5)
        #expect(axis.lower == 0 && abs(axis.upper - 1) < 1e-12)
        #expect(axis.ticks.map(\.label) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(PlotAxis.niceStep(0.03) == 0.05)
        #expect(PlotAxis.niceStep(7) == 10)
        #expect(PlotAxis.niceStep(2) == 2)
        #expect(PlotAxis.linear(minimum: 5, maximum: 5, targetTicks: 4).ticks.count >= 2)
        #expect(PlotAxis.formatTick(2e-5, step: 1e-5) == "2e-5")
        #expect(PlotAxis.formatTick(250_000, step: 50_000) == "2.5e5")
        #expect(PlotAxis.formatPower(-7) == "1e-7" && PlotAxis.formatPower(3) == "1000" && PlotAxis.formatPower(-2) == "0.01")
    }
}

@Suite struct HTMLAnimationTests {
    @Test func pageEmbedsFramesAndEscapes() throws {
        let frames = (0..<3).map { RGBImage(width: 8, height: 6, fill: RGB(UInt8($0 * 60), 10, 10)) }
        let page = try HTMLAnimation.page(
            frames: frames, fps: 12.5, title: "PushT <run 1> & co",
            captions: ["step 0", "reward \"0.5\"", "</script><b>x"])
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.components(separatedBy: "data:image/png;base64,").count == 4)
        #expect(page.contains("<title>PushT &lt;run 1&gt; &amp; co</title>"))
        #expect(page.contains(#""reward \"0.5\"""#))
        #expect(!page.contains("</script><b>"))
        #expect(page.contains(#"\u003c/script\u003e\u003cb\u003ex"#))
        #expect(page.contains("const fps = 12.5;"))
        #expect(page.contains("max=\"2\""))
        #expect(page.contains("data-frames=\"3\""))
        #expect(page.contains("img.dataset.frame = String(index);"))
        // The embedded frames are the PNG encodings.
        let first = PNG.encode(frames[0]).base64EncodedString()
        #expect(page.contains(first))
    }

    @Test func writeValidates() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("anim.html")
        let frame = RGBImage(width: 4, height: 4, fill: .white)
        try HTMLAnimation.write(frames: [frame, frame], fps: 10, title: "t", captions: nil, to: url)
        #expect(try String(contentsOf: url, encoding: .utf8).contains("const captions = [];"))
        #expect(
            ioError { try HTMLAnimation.write(frames: [], fps: 10, title: "t", captions: nil, to: url) }
                == .invalidArgument("HTMLAnimation needs at least one frame"))
        #expect(
            ioError { try HTMLAnimation.write(frames: [frame], fps: 10, title: "t", captions: ["a", "b"], to: url) }
                == .invalidArgument("HTMLAnimation got 2 captions for 1 frames"))
        #expect(ioError { try HTMLAnimation.write(frames: [frame], fps: -1, title: "t", captions: nil, to: url) } != nil)
    }
}

@Suite struct ProgressLineTests {
    final class Collector: @unchecked Sendable {
        var text = ""
    }

    @Test func inactiveLineIsSilent() {
        let collector = Collector()
        let line = ProgressLine(label: "x", total: 10, active: false, columns: 80) { collector.text += $0 }
        line.update(5)
        line.finish()
        #expect(collector.text.isEmpty)
        let disabled = ProgressLine(label: "quiet", total: 3, enabled: false)
        #expect(!disabled.isActive)
        disabled.update(1)
        disabled.finish()
    }

    @Test func activeLineRedrawsAndFinishes() {
        let collector = Collector()
        let line = ProgressLine(label: "collect", total: 4, active: true, columns: 200) { collector.text += $0 }
        line.update(1, detail: "ep 1")
        line.update(4)
        line.finish(detail: "done")
        line.update(2)
        line.finish()
        #expect(collector.text.hasPrefix("\r\u{1B}[2Kcollect  [#####...............]  1/4   25%"))
        #expect(collector.text.contains("ep 1"))
        #expect(collector.text.contains("4/4  100%"))
        #expect(collector.text.hasSuffix("done\n"))
        #expect(collector.text.components(separatedBy: "\n").count == 2)
    }

    @Test func renderFormats() {
        let line = ProgressLine(label: "train", total: 200, active: true, columns: 40) { _ in }
        let text = line.render(done: 50, detail: "a very long detail that does not fit", elapsed: 10)
        #expect(text.count == 39)
        #expect(text.hasPrefix("train  [#####...............]  50/200"))
        let full = ProgressLine(label: "t", total: 200, active: true, columns: 200) { _ in }
        #expect(full.render(done: 50, detail: "", elapsed: 10).hasSuffix("5.0/s  ETA 0:30"))
        let unknown = ProgressLine(label: "scan", total: 0, active: true, columns: 100) { _ in }
        #expect(unknown.render(done: 7, detail: "", elapsed: 0) == "scan  7")
        #expect(ProgressLine.clock(3725) == "1:02:05" && ProgressLine.clock(65) == "1:05")
    }
}
