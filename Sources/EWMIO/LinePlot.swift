import Foundation

/// A simple PNG line/scatter plot with axes, ticks, grid, legend and optional error bars;
/// text uses a built-in 5x7 bitmap font (`BitmapFont`), so no system fonts are needed.
///
/// Each series is drawn as an anti-aliased polyline with a dot (radius 3 px) at every point;
/// series with more than 60 points get the line only, a single point gets just its dot.
/// Non-finite points are skipped and break the line; with `logY`, non-positive `y` values are skipped.
public struct LinePlot {
    struct Series {
        var name: String
        var x: [Double], y: [Double]
        var color: RGB
        /// Per point: how far the bar reaches below and above y (each >= 0).
        var bars: [(below: Double, above: Double)]?
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Image size in pixels.
    public let width: Int, height: Int
    /// Logarithmic (base 10) y axis.
    public var logY: Bool
    var series: [Series] = []

    /// - Parameters:
    ///   - width, height: pixels; at least 200 x 150 (default 800 x 500).
    ///   - logY: log10 y axis (default false).
    /// - Precondition: the size is at least 200 x 150 and at most 8192 x 8192.
    public init(title: String, xLabel: String, yLabel: String, width: Int = 800, height: Int = 500, logY: Bool = false) {
        precondition(
            (200...8192).contains(width) && (150...8192).contains(height),
            "LinePlot size must be within 200x150 ... 8192x8192, got \(width)x\(height)")
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
        self.logY = logY
    }

    /// Adds a series drawn in `color`; `errorBars[i]` is the half-height of the bar at point `i`.
    /// - Precondition: `x`, `y` (and `errorBars`, if given) have the same length.
    public mutating func addSeries(name: String, x: [Double], y: [Double], color: RGB, errorBars: [Double]? = nil) {
        precondition(x.count == y.count, "LinePlot series '\(name)': \(x.count) x values but \(y.count) y values")
        if let errorBars {
            precondition(errorBars.count == y.count, "LinePlot series '\(name)': \(errorBars.count) error bars for \(y.count) points")
        }
        series.append(Series(name: name, x: x, y: y, color: color, bars: errorBars?.map { (below: $0, above: $0) }))
    }

    /// Adds a series whose bar at point `i` spans `intervals[i]` (absolute values, e.g. a Wilson interval, which is
    /// not symmetric about the rate).
    /// - Precondition: `x`, `y` and `intervals` have the same length.
    public mutating func addSeries(name: String, x: [Double], y: [Double], color: RGB, intervals: [(low: Double, high: Double)]) {
        precondition(
            x.count == y.count && intervals.count == y.count,
            "LinePlot series '\(name)': \(x.count) x values, \(y.count) y values, \(intervals.count) intervals")
        let bars = zip(y, intervals).map { (below: max(0, $0 - $1.low), above: max(0, $1.high - $0)) }
        series.append(Series(name: name, x: x, y: y, color: color, bars: bars))
    }

    /// Draws the plot.
    public func render() -> RGBImage {
        let ink = RGB(30, 30, 30), grid = RGB(225, 225, 225)
        let scale = max(1, min(width, height) / 250)
        let lineHeight = BitmapFont.glyphHeight * scale
        // The title is drawn one size up, unless that is wider than the image.
        let titleScale = BitmapFont.size(of: title, scale: scale + 1).width <= width - 20 ? scale + 1 : scale
        let (xAxis, yAxis) = axes()

        // Layout in pixels.
        let yTickWidth = yAxis.ticks.map { BitmapFont.size(of: $0.label, scale: scale).width }.max() ?? 0
        let left = Double(10 + (yLabel.isEmpty ? 0 : lineHeight + 10) + yTickWidth + 10)
        let right = Double(width - 20)
        let top = Double(12 + (title.isEmpty ? 0 : BitmapFont.glyphHeight * titleScale + 12))
        let bottom = Double(height - (10 + lineHeight + 8 + (xLabel.isEmpty ? 0 : lineHeight + 10)))
        func px(_ x: Double) -> Double { xAxis.pixel(x, start: left, end: right) }
        func py(_ y: Double) -> Double { yAxis.pixel(logY ? log10(y) : y, start: bottom, end: top) }

        var canvas = Canvas(
            width: width, height: height, world: (0, 0, Double(width), Double(height)),
            background: .white, supersample: 4)
        for tick in xAxis.ticks {
            let x = xAxis.pixel(tick.position, start: left, end: right)
            canvas.strokeSegment(from: (x, top), to: (x, bottom), width: 1, color: grid)
            canvas.strokeSegment(from: (x, bottom), to: (x, bottom + 5), width: 1.5, color: ink)
        }
        for tick in yAxis.ticks {
            let y = yAxis.pixel(tick.position, start: bottom, end: top)
            canvas.strokeSegment(from: (left, y), to: (right, y), width: 1, color: grid)
            canvas.strokeSegment(from: (left - 5, y), to: (left, y), width: 1.5, color: ink)
        }
        let frame: [(x: Double, y: Double)] = [(left, top), (right, top), (right, bottom), (left, bottom)]
        for i in 0..<4 {
            canvas.strokeSegment(from: frame[i], to: frame[(i + 1) % 4], width: 1.5, color: ink)
        }

        for s in series {
            let markers = s.x.count <= 60
            var previous: (x: Double, y: Double)?
            for i in s.x.indices {
                guard s.x[i].isFinite, s.y[i].isFinite, !logY || s.y[i] > 0 else {
                    previous = nil
                    continue
                }
                let point = (x: px(s.x[i]), y: py(s.y[i]))
                if let e = s.bars?[i], e.below.isFinite, e.above.isFinite, e.below + e.above > 0 {
                    let high = py(s.y[i] + e.above)
                    let low = !logY || s.y[i] - e.below > 0 ? py(s.y[i] - e.below) : bottom
                    canvas.strokeSegment(from: (point.x, low), to: (point.x, high), width: 1.5, color: s.color)
                    for end in [low, high] {
                        canvas.strokeSegment(from: (point.x - 4, end), to: (point.x + 4, end), width: 1.5, color: s.color)
                    }
                }
                if let previous {
                    canvas.strokeSegment(from: previous, to: point, width: 2, color: s.color)
                }
                if markers || s.x.count == 1 {
                    canvas.fillCircle(center: point, radius: 3, color: s.color)
                }
                previous = point
            }
        }

        // Legend box, inside the plot in the corner that covers the fewest data (top-right on a tie), drawn before
        // the text that goes on it.
        let named = series.filter { !$0.name.isEmpty }
        let legendWidth = Double((named.map { BitmapFont.size(of: $0.name, scale: scale).width }.max() ?? 0) + 40)
        let rowHeight = Double(lineHeight + 8)
        let legendHeight = rowHeight * Double(named.count) + 6
        let corners = [
            (right - 10 - legendWidth, top + 10), (left + 10, top + 10),
            (right - 10 - legendWidth, bottom - 10 - legendHeight), (left + 10, bottom - 10 - legendHeight),
        ]
        let data = named.isEmpty ? [] : dataPixels(px: px, py: py, bottom: bottom)
        let covered = corners.map { corner in
            data.filter { p in
                p.x >= corner.0 && p.x <= corner.0 + legendWidth && p.y >= corner.1 && p.y <= corner.1 + legendHeight
            }.count
        }
        let (legendLeft, legendTop) = corners[covered.indices.min { covered[$0] < covered[$1] }!]
        if !named.isEmpty {
            let box: [(x: Double, y: Double)] = [
                (legendLeft, legendTop), (legendLeft + legendWidth, legendTop),
                (legendLeft + legendWidth, legendTop + legendHeight),
                (legendLeft, legendTop + legendHeight),
            ]
            canvas.fillPolygon(box, color: .white)
            for i in 0..<4 { canvas.strokeSegment(from: box[i], to: box[(i + 1) % 4], width: 1, color: RGB(160, 160, 160)) }
            for (row, s) in named.enumerated() {
                let y = legendTop + 3 + rowHeight * (Double(row) + 0.5)
                canvas.strokeSegment(from: (legendLeft + 8, y), to: (legendLeft + 26, y), width: 2.5, color: s.color)
            }
        }

        var image = canvas.image
        for tick in xAxis.ticks {
            let x = Int(xAxis.pixel(tick.position, start: left, end: right).rounded())
            let w = BitmapFont.size(of: tick.label, scale: scale).width
            BitmapFont.draw(tick.label, into: &image, x: x - w / 2, y: Int(bottom) + 9, scale: scale, color: ink)
        }
        for tick in yAxis.ticks {
            let y = Int(yAxis.pixel(tick.position, start: bottom, end: top).rounded())
            let w = BitmapFont.size(of: tick.label, scale: scale).width
            BitmapFont.draw(tick.label, into: &image, x: Int(left) - 9 - w, y: y - lineHeight / 2, scale: scale, color: ink)
        }
        if !title.isEmpty {
            let w = BitmapFont.size(of: title, scale: titleScale).width
            BitmapFont.draw(title, into: &image, x: max(0, (width - w) / 2), y: 12, scale: titleScale, color: ink)
        }
        if !xLabel.isEmpty {
            let w = BitmapFont.size(of: xLabel, scale: scale).width
            BitmapFont.draw(xLabel, into: &image, x: Int((left + right) / 2) - w / 2, y: height - 10 - lineHeight, scale: scale, color: ink)
        }
        if !yLabel.isEmpty {
            let h = BitmapFont.size(of: yLabel, scale: scale).width
            BitmapFont.draw(yLabel, into: &image, x: 10, y: Int((top + bottom) / 2) - h / 2, scale: scale, color: ink, vertical: true)
        }
        for (row, s) in named.enumerated() {
            let y = Int(legendTop + 3 + rowHeight * (Double(row) + 0.5)) - lineHeight / 2
            BitmapFont.draw(s.name, into: &image, x: Int(legendLeft) + 32, y: y, scale: scale, color: ink)
        }
        return image
    }

    /// Pixel positions that the series cover: every point, 8 samples along each line segment, and the error bars'
    /// ends (what a legend box should not hide).
    private func dataPixels(px: (Double) -> Double, py: (Double) -> Double, bottom: Double) -> [(x: Double, y: Double)] {
        var out: [(x: Double, y: Double)] = []
        for s in series {
            var previous: (x: Double, y: Double)?
            for i in s.x.indices {
                guard s.x[i].isFinite, s.y[i].isFinite, !logY || s.y[i] > 0 else { previous = nil; continue }
                let point = (x: px(s.x[i]), y: py(s.y[i]))
                out.append(point)
                if let previous {
                    for k in 1..<8 {
                        let t = Double(k) / 8
                        out.append((previous.x + t * (point.x - previous.x), previous.y + t * (point.y - previous.y)))
                    }
                }
                if let e = s.bars?[i], e.below.isFinite, e.above.isFinite {
                    out.append((point.x, py(s.y[i] + e.above)))
                    out.append((point.x, !logY || s.y[i] - e.below > 0 ? py(s.y[i] - e.below) : bottom))
                }
                previous = point
            }
        }
        return out
    }

    /// Axes covering every finite point (and error bar) of every series.
    func axes() -> (x: PlotAxis, y: PlotAxis) {
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for i in s.x.indices where s.x[i].isFinite && s.y[i].isFinite && (!logY || s.y[i] > 0) {
                xs.append(s.x[i])
                ys.append(s.y[i])
                if let e = s.bars?[i], e.below.isFinite, e.above.isFinite, e.below + e.above > 0 {
                    ys.append(s.y[i] + e.above)
                    if !logY || s.y[i] - e.below > 0 { ys.append(s.y[i] - e.below) }
                }
            }
        }
        let xAxis = PlotAxis.linear(minimum: xs.min() ?? 0, maximum: xs.max() ?? 1, targetTicks: max(2, (width - 100) / 110))
        let yAxis =
            logY
            ? PlotAxis.logarithmic(minimum: ys.min() ?? 1, maximum: ys.max() ?? 10)
            : PlotAxis.linear(minimum: ys.min() ?? 0, maximum: ys.max() ?? 1, targetTicks: max(2, (height - 100) / 70))
        return (xAxis, yAxis)
    }
}
