import Foundation

/// Draws in a world rectangle (e.g. 0...512 x 0...512, y down as in the image, i.e. world y maps to image row y)
/// onto an image of any size, with `supersample` x `supersample` coverage sampling per pixel (1 = aliased).
///
/// World point `(x, y)` lands at pixel coordinates `((x - minX) * width / (maxX - minX),
/// (y - minY) * height / (maxY - minY))`; pixel `(i, j)` is the unit square `[i, i+1) x [j, j+1)`.
/// Each primitive's coverage of a pixel is the fraction of its `supersample²` sample points
/// (`i + (a + 0.5) / s`, `j + (b + 0.5) / s`) inside the shape, and the pixel becomes
/// `mix(old, color, coverage)`. Coverage is counted exactly per sub-scanline from horizontal
/// spans, so fully covered interior pixels cost O(1) each and only edge pixels are partial.
/// The drawing methods reuse internal buffers: nothing is allocated per primitive once they have
/// grown to the largest polygon drawn.
///
/// Primitives with non-finite coordinates or negative sizes are skipped (not drawn) and counted in
/// `skippedPrimitives`, so a NaN state shows up as a count instead of a crash mid-render.
public struct Canvas {
    /// The picture so far.
    public var image: RGBImage { pixels }
    /// Backing store of `image`.
    var pixels: RGBImage
    /// Sample grid per pixel side (1...16).
    public let supersample: Int
    /// The world rectangle mapped onto the image.
    public let world: (minX: Double, minY: Double, maxX: Double, maxY: Double)
    /// Number of primitives ignored because of non-finite coordinates or negative sizes.
    public private(set) var skippedPrimitives = 0

    /// Pixels per world unit along x and y.
    let scaleX: Double, scaleY: Double
    /// Per-column sample counts for partially covered pixels of the current row (`width + 1` entries).
    var partial: [Int32]
    /// Difference array of full-pixel counts for the current row (`width + 2` entries).
    var runs: [Int32]
    /// Coverage count (0...supersample²) to 8-bit alpha (0...256).
    let alphaTable: [Int32]
    /// Reused polygon edge storage.
    var edgeScratch: [PolygonEdge] = []
    /// Reused crossing storage (x, direction) for polygon scanlines.
    var crossingScratch: [Crossing] = []

    /// - Parameters:
    ///   - width, height: image size in pixels, >= 1.
    ///   - world: the rectangle shown; needs finite bounds with `minX < maxX` and `minY < maxY`.
    ///   - background: initial colour of every pixel.
    ///   - supersample: samples per pixel side, 1...16 (default 4, i.e. 16 samples per pixel; 1 = aliased).
    /// - Precondition: the arguments are in range (checked with a message naming the bad value).
    public init(
        width: Int, height: Int, world: (minX: Double, minY: Double, maxX: Double, maxY: Double),
        background: RGB, supersample: Int = 4
    ) {
        precondition(width >= 1 && height >= 1, "Canvas needs width and height >= 1, got \(width)x\(height)")
        precondition(
            [world.minX, world.minY, world.maxX, world.maxY].allSatisfy(\.isFinite) && world.minX < world.maxX && world.minY < world.maxY,
            "Canvas world must be finite with min < max, got \(world)")
        precondition((1...16).contains(supersample), "Canvas supersample must be in 1...16, got \(supersample)")
        self.pixels = RGBImage(width: width, height: height, fill: background)
        self.supersample = supersample
        self.world = world
        self.scaleX = Double(width) / (world.maxX - world.minX)
        self.scaleY = Double(height) / (world.maxY - world.minY)
        self.partial = [Int32](repeating: 0, count: width + 1)
        self.runs = [Int32](repeating: 0, count: width + 2)
        let samples = supersample * supersample
        self.alphaTable = (0...samples).map { Int32(($0 * 256 + samples / 2) / samples) }
    }

    /// Repaints every pixel with `background` (reuse one canvas per frame) and resets `skippedPrimitives`.
    public mutating func clear(_ background: RGB) {
        pixels.fill(background)
        skippedPrimitives = 0
    }

    /// Fills a simple (convex or concave) polygon given by its vertices in order; either winding works.
    /// Fewer than 3 vertices draw nothing.
    public mutating func fillPolygon(_ points: [(x: Double, y: Double)], color: RGB) {
        fillUnion(CollectionOfOne(points), color: color)
    }

    /// Fills the union of several polygons in one pass (no seams where they touch or overlap,
    /// unlike two `fillPolygon` calls whose anti-aliased edges would blend twice), e.g. the two
    /// rectangles of a T. Uses the non-zero rule after orienting every polygon the same way.
    public mutating func fillPolygons(_ polygons: [[(x: Double, y: Double)]], color: RGB) {
        fillUnion(polygons, color: color)
    }

    /// Shared body of `fillPolygon(s)`; generic so a single polygon needs no wrapping array.
    mutating func fillUnion<C: Collection>(_ polygons: C, color: RGB) where C.Element == [(x: Double, y: Double)] {
        for polygon in polygons {
            for p in polygon where !(p.x.isFinite && p.y.isFinite) {
                skippedPrimitives += 1
                return
            }
        }
        var edges: [PolygonEdge] = []
        swap(&edges, &edgeScratch)
        defer { swap(&edges, &edgeScratch) }
        edges.removeAll(keepingCapacity: true)
        var minY = Double.infinity, maxY = -Double.infinity
        for polygon in polygons where polygon.count >= 3 {
            PolygonEdge.appendEdges(of: polygon, to: &edges, minY: &minY, maxY: &maxY)
        }
        if edges.isEmpty { return }
        var crossings: [Crossing] = []
        swap(&crossings, &crossingScratch)
        defer { swap(&crossings, &crossingScratch) }
        if crossings.count < edges.count {
            crossings = [Crossing](repeating: Crossing(x: 0, direction: 0), count: max(edges.count, 2 * crossings.count))
        }
        edges.withUnsafeBufferPointer { edgeBuffer in
            crossings.withUnsafeMutableBufferPointer { crossingBuffer in
                var shape = PolygonSpans(edges: edgeBuffer, crossings: crossingBuffer, minY: minY, maxY: maxY)
                rasterize(&shape, color: color)
            }
        }
    }

    /// Fills a disc. Non-positive radii draw nothing.
    public mutating func fillCircle(center: (x: Double, y: Double), radius: Double, color: RGB) {
        guard center.x.isFinite, center.y.isFinite, radius.isFinite, radius >= 0 else {
            skippedPrimitives += 1
            return
        }
        guard radius > 0 else { return }
        var shape = CircleSpans(cx: center.x, cy: center.y, radius: radius)
        rasterize(&shape, color: color)
    }

    /// Strokes a segment as a capsule: all points within `width / 2` of the segment (round caps).
    public mutating func strokeSegment(from: (x: Double, y: Double), to: (x: Double, y: Double), width: Double, color: RGB) {
        guard from.x.isFinite, from.y.isFinite, to.x.isFinite, to.y.isFinite, width.isFinite, width >= 0 else {
            skippedPrimitives += 1
            return
        }
        guard width > 0 else { return }
        var shape = CapsuleSpans(a: from, b: to, radius: width / 2)
        rasterize(&shape, color: color)
    }

    /// Draws a plus-shaped cross: two bars `size` long (end to end) and `thickness` wide, centred on `center`.
    public mutating func drawCross(center: (x: Double, y: Double), size: Double, thickness: Double, color: RGB) {
        drawCross(center: center, size: size, thickness: thickness, angle: 0, color: color)
    }

    /// A cross rotated by `angle` radians (pi/4 gives an "x"), drawn as the union of its two bars.
    public mutating func drawCross(center: (x: Double, y: Double), size: Double, thickness: Double, angle: Double, color: RGB) {
        guard center.x.isFinite, center.y.isFinite, size.isFinite, thickness.isFinite, angle.isFinite,
            size >= 0, thickness >= 0
        else {
            skippedPrimitives += 1
            return
        }
        guard size > 0, thickness > 0 else { return }
        var shape = CrossSpans(center: center, halfLength: size / 2, halfThickness: thickness / 2, angle: angle)
        rasterize(&shape, color: color)
    }
}
