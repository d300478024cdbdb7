@testable import EWMIO
import Foundation
import Testing

@Suite struct CanvasTests {
    typealias Point = (x: Double, y: Double)

    /// Covered area in pixels, reading coverage back from black ink on a white background.
    static func inkArea(_ image: RGBImage) -> Double {
        var total = 0.0
        for i in stride(from: 0, to: image.pixels.count, by: 3) {
            total += Double(255 - Int(image.pixels[i])) / 255
        }
        return total
    }

    static func blank(_ size: Int = 100, supersample: Int = 4) -> Canvas {
        Canvas(width: size, height: size, world: (0, 0, Double(size), Double(size)), background: .white, supersample: supersample)
    }

    static func rotated(_ points: [Point], by angle: Double, around c: Point) -> [Point] {
        points.map { p in
            let dx = p.x - c.x, dy = p.y - c.y
            return (x: c.x + cos(angle) * dx - sin(angle) * dy, y: c.y + sin(angle) * dx + cos(angle) * dy)
        }
    }

    @Test(arguments: [0.0, 0.3, .pi / 4, 1.0])
    func squareAreaMatchesAnalytic(angle: Double) {
        var canvas = Self.blank()
        let side = 40.3
        let square: [Point] = [(30.2, 25.7), (30.2 + side, 25.7), (30.2 + side, 25.7 + side), (30.2, 25.7 + side)]
        canvas.fillPolygon(Self.rotated(square, by: angle, around: (50, 46)), color: .black)
        let area = Self.inkArea(canvas.image)
        #expect(abs(area - side * side) / (side * side) < 0.01, "area \(area) vs \(side * side)")
    }

    @Test(arguments: [4.5, 12.25, 30.0])
    func circleAreaMatchesAnalytic(radius: Double) {
        var canvas = Self.blank()
        canvas.fillCircle(center: (47.3, 52.1), radius: radius, color: .black)
        let expected = Double.pi * radius * radius
        let area = Self.inkArea(canvas.image)
        #expect(abs(area - expected) / expected < 0.02, "area \(area) vs \(expected)")
    }

    @Test func edgesAreAntiAliased() {
        var canvas = Self.blank(20)
        canvas.fillPolygon([(2, 2), (10.5, 2), (10.5, 18), (2, 18)], color: .black)
        let image = canvas.image
        #expect(image[5, 10] == .black)
        #expect(image[15, 10] == .white)
        let edge = image[10, 10]
        #expect(edge.r > 0 && edge.r < 255, "edge pixel \(edge)")
        #expect(abs(Int(edge.r) - 128) <= 2, "half-covered pixel should be mid-grey, got \(edge)")

        var circle = Self.blank(40)
        circle.fillCircle(center: (20, 20), radius: 10.3, color: RGB(0, 0, 200))
        let distinct = Set(stride(from: 0, to: circle.image.pixels.count, by: 3).map { circle.image.pixels[$0] })
        #expect(distinct.count > 5, "expected intermediate edge values, got \(distinct.sorted())")
        for value in distinct { #expect(value <= 255) }
    }

    @Test func supersampleOneIsAliased() {
        var canvas = Self.blank(40, supersample: 1)
        canvas.fillCircle(center: (20.2, 19.7), radius: 11.1, color: .black)
        let distinct = Set(stride(from: 0, to: canvas.image.pixels.count, by: 3).map { canvas.image.pixels[$0] })
        #expect(distinct == [0, 255])
        let area = Self.inkArea(canvas.image)
        #expect(abs(area - .pi * 11.1 * 11.1) / (.pi * 11.1 * 11.1) < 0.05)
    }

    @Test func worldMapsOntoImage() {
        // 512-unit world on 96 pixels: a 128 x 128 world square covers 24 x 24 pixels.
        var canvas = Canvas(width: 96, height: 96, world: (0, 0, 512, 512), background: .white)
        canvas.fillPolygon([(64, 256), (192, 256), (192, 384), (64, 384)], color: .black)
        let image = canvas.image
        #expect(abs(Self.inkArea(image) - 576) < 0.5)
        #expect(image[12, 48] == .black && image[35, 71] == .black)
        #expect(image[11, 48] == .white && image[36, 48] == .white && image[20, 47] == .white && image[20, 72] == .white)
        // Non-square world to image mapping keeps areas consistent.
        var wide = Canvas(width: 100, height: 50, world: (-10, -5, 10, 5), background: .white)
        wide.fillCircle(center: (0, 0), radius: 3, color: .black)
        let expected = Double.pi * 9 * 25  // each world unit is 5 x 5 pixels
        #expect(abs(Self.inkArea(wide.image) - expected) / expected < 0.02)
    }

    @Test func capsuleAndCross() {
        var canvas = Self.blank()
        canvas.strokeSegment(from: (20, 30), to: (75, 70), width: 8, color: .black)
        let length = ((55.0 * 55) + (40.0 * 40)).squareRoot()
        let expected = Double.pi * 16 + 8 * length
        #expect(abs(Self.inkArea(canvas.image) - expected) / expected < 0.02)

        for angle in [0.0, Double.pi / 4] {
            var cross = Self.blank()
            cross.drawCross(center: (50.3, 49.6), size: 40, thickness: 6, angle: angle, color: .black)
            let crossArea = 2 * 40.0 * 6 - 36
            #expect(abs(Self.inkArea(cross.image) - crossArea) / crossArea < 0.02, "angle \(angle)")
            #expect(cross.image[50, 49] == .black)
        }
        var plain = Self.blank()
        plain.drawCross(center: (50, 50), size: 20, thickness: 2, color: .black)
        #expect(plain.image[45, 50] == .black && plain.image[50, 45] == .black && plain.image[45, 45] == .white)

        var degenerate = Self.blank()
        degenerate.strokeSegment(from: (50, 50), to: (50, 50), width: 10, color: .black)
        #expect(abs(Self.inkArea(degenerate.image) - .pi * 25) / (.pi * 25) < 0.03)
        for (from, to) in [((10.0, 50.0), (90.0, 50.0)), ((50.0, 10.0), (50.0, 90.0))] {
            var axis = Self.blank()
            axis.strokeSegment(from: from, to: to, width: 4, color: .black)
            let axisArea = Double.pi * 4 + 4 * 80
            #expect(abs(Self.inkArea(axis.image) - axisArea) / axisArea < 0.02)
        }
    }

    @Test func concavePolygonsAndUnions() {
        // An L shape: 40 x 40 square minus a 20 x 20 corner.
        let l: [Point] = [(10, 10), (50, 10), (50, 30), (30, 30), (30, 50), (10, 50)]
        var canvas = Self.blank()
        canvas.fillPolygon(l, color: .black)
        #expect(abs(Self.inkArea(canvas.image) - 1200) < 12)
        #expect(canvas.image[40, 40] == .white)
        var reversed = Self.blank()
        reversed.fillPolygon(l.reversed(), color: .black)
        #expect(reversed.image == canvas.image)

        // Two abutting rectangles as a union are pixel-identical to the single rectangle (no seam).
        let top: [Point] = [(20.3, 20.3), (70.6, 20.3), (70.6, 45.45), (20.3, 45.45)]
        let bottom: [Point] = [(20.3, 45.45), (70.6, 45.45), (70.6, 70.6), (20.3, 70.6)]
        var union = Self.blank()
        union.fillPolygons([top, Self.rotated(bottom, by: 0, around: (0, 0)).reversed()], color: .black)
        var single = Self.blank()
        single.fillPolygon([(20.3, 20.3), (70.6, 20.3), (70.6, 70.6), (20.3, 70.6)], color: .black)
        #expect(union.image == single.image)
        // Overlapping polygons count once.
        var overlap = Self.blank()
        overlap.fillPolygons([[(10, 10), (60, 10), (60, 60), (10, 60)], [(30, 30), (80, 30), (80, 80), (30, 80)]], color: .black)
        #expect(abs(Self.inkArea(overlap.image) - (2500 + 2500 - 900)) < 20)
    }

    @Test func clippingAndInvalidInput() {
        var canvas = Self.blank(50)
        canvas.fillCircle(center: (0, 0), radius: 10, color: .black)
        #expect(abs(Self.inkArea(canvas.image) - .pi * 25) / (.pi * 25) < 0.03)
        let before = canvas.image
        canvas.fillCircle(center: (500, 500), radius: 10, color: .black)
        canvas.fillPolygon([(-100, -100), (-50, -100), (-50, -50)], color: .black)
        canvas.fillPolygon([(10, 10), (20, 20)], color: .black)
        canvas.fillCircle(center: (25, 25), radius: 0, color: .black)
        #expect(canvas.image == before)
        #expect(canvas.skippedPrimitives == 0)
        canvas.fillCircle(center: (.nan, 3), radius: 5, color: .black)
        canvas.strokeSegment(from: (0, 0), to: (.infinity, 0), width: 2, color: .black)
        canvas.fillPolygon([(0, 0), (10, .nan), (10, 10)], color: .black)
        canvas.drawCross(center: (10, 10), size: -1, thickness: 1, color: .black)
        #expect(canvas.image == before)
        #expect(canvas.skippedPrimitives == 4)
        // Huge shapes covering everything are clipped.
        canvas.fillPolygon([(-1e9, -1e9), (1e9, -1e9), (1e9, 1e9), (-1e9, 1e9)], color: RGB(1, 2, 3))
        #expect(canvas.image.countPixels(notEqualTo: RGB(1, 2, 3)) == 0)
        canvas.clear(.white)
        #expect(canvas.image.countPixels(notEqualTo: .white) == 0 && canvas.skippedPrimitives == 0)
        // Extreme but finite coordinates neither trap nor draw garbage.
        canvas.fillPolygon([(-1e300, -1e300), (1e300, -1e300), (1e300, 1e300), (-1e300, 1e300)], color: .black)
        canvas.fillCircle(center: (1e300, -1e300), radius: 1e300, color: .black)
        canvas.strokeSegment(from: (-1e300, 25), to: (1e300, 25), width: 2, color: .black)
        canvas.drawCross(center: (25, 25), size: 1e300, thickness: 1e-300, angle: 1, color: .black)
    }

    @Test func blendsOverExistingColours() {
        var canvas = Self.blank(10)
        canvas.fillPolygon([(0, 0), (10, 0), (10, 10), (0, 10)], color: RGB(200, 0, 0))
        canvas.fillPolygon([(0, 0), (5.5, 0), (5.5, 10), (0, 10)], color: RGB(0, 0, 200))
        let mid = canvas.image[5, 5]
        #expect(abs(Int(mid.r) - 100) <= 2 && mid.g == 0 && abs(Int(mid.b) - 100) <= 2)
        #expect(canvas.image[2, 5] == RGB(0, 0, 200) && canvas.image[8, 5] == RGB(200, 0, 0))
    }
}

@Suite struct LinePlotTests {
    /// An interval bar spans exactly its interval: a rate of 0.1 with Wilson bounds (0.02, 0.4) reaches 0.4 above and
    /// stops at 0.02 below, where a symmetric bar of the larger half-width would cross 0.
    @Test func intervalBarsAreAsymmetric() {
        var p = LinePlot(title: "t", xLabel: "x", yLabel: "y")
        p.addSeries(name: "rate", x: [0, 1], y: [0.1, 0.5], color: RGB(0, 0, 0), intervals: [(low: 0.02, high: 0.4), (low: 0.3, high: 0.7)])
        let (_, y) = p.axes()
        #expect(y.lower >= 0 && y.lower <= 0.02 && y.upper >= 0.7)
        var symmetric = LinePlot(title: "t", xLabel: "x", yLabel: "y")
        symmetric.addSeries(name: "rate", x: [0, 1], y: [0.1, 0.5], color: RGB(0, 0, 0), errorBars: [0.3, 0.2])
        #expect(symmetric.axes().y.lower < 0)
        let image = p.render()
        #expect(image.width == 800 && image.height == 500)
    }

    /// The legend avoids the data: with a line along the top of the plot it moves to the bottom-right corner, where
    /// its dark text then shows (nothing else dark is drawn inside the plot's lower right quarter).
    @Test func theLegendMovesOffTheData() {
        func darkPixelsInLowerRight(_ y: [Double]) -> Int {
            var p = LinePlot(title: "t", xLabel: "x", yLabel: "y", width: 400, height: 300)
            p.addSeries(name: "a long series name", x: [0, 1, 2, 3], y: y, color: RGB(0, 0, 200))
            p.addSeries(name: "", x: [0, 0], y: [0, 1], color: RGB(255, 255, 255))  // fixes the y axis to [0, 1]
            let image = p.render()
            var n = 0
            for yy in 150..<250 { for xx in 200..<370 { let c = image[xx, yy]; if c.r < 100 && c.g < 100 && c.b < 100 { n += 1 } } }
            return n
        }
        #expect(darkPixelsInLowerRight([0.95, 0.95, 0.95, 0.95]) > 0)  // data on top: the legend goes below
        #expect(darkPixelsInLowerRight([0.05, 0.05, 0.05, 0.05]) == 0)  // data at the bottom: the legend stays top-right
    }

    /// A title too wide for the larger font is drawn in the smaller one, whole: no ink in the image's outer columns
    /// of the title band, and some ink inside it.
    @Test func aLongTitleFitsTheImage() {
        let title = "teacher3d goal reaching across SE(3) (Wilson 95% CI)"
        #expect(BitmapFont.size(of: title, scale: 2).width > 380 && BitmapFont.size(of: title, scale: 1).width <= 380)
        var p = LinePlot(title: title, xLabel: "x", yLabel: "y", width: 400, height: 300)
        p.addSeries(name: "s", x: [0, 1], y: [0, 1], color: RGB(0, 0, 200))
        let image = p.render()
        let band = 12..<(12 + 2 * BitmapFont.glyphHeight)
        let edges = band.flatMap { y in [0, 1, 2, 397, 398, 399].map { image[$0, y] } }
        #expect(edges.allSatisfy { $0 == .white })
        #expect(band.contains { y in (0..<400).contains { image[$0, y] != .white } })
    }
}
