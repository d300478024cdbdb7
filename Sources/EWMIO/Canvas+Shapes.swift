import Foundation

/// One non-horizontal polygon edge, stored for scanline crossing.
struct PolygonEdge {
    /// World-y range `[y0, y1)` the edge crosses (half-open so a shared vertex counts once).
    var y0: Double, y1: Double
    /// x at `y0`, and dx/dy.
    var x0: Double, slope: Double
    /// +1 or -1: the edge's vertical direction after orienting its polygon.
    var direction: Int32

    /// Appends the edges of `polygon`, oriented so that every polygon has positive signed area
    /// (then overlapping polygons add up under the non-zero rule), and widens the y extent.
    static func appendEdges(
        of polygon: [(x: Double, y: Double)], to edges: inout [PolygonEdge],
        minY: inout Double, maxY: inout Double
    ) {
        var area = 0.0
        var previous = polygon[polygon.count - 1]
        for p in polygon {
            area += previous.x * p.y - p.x * previous.y
            previous = p
        }
        let flip: Int32 = area < 0 ? -1 : 1
        previous = polygon[polygon.count - 1]
        for p in polygon {
            defer { previous = p }
            minY = min(minY, p.y)
            maxY = max(maxY, p.y)
            if p.y == previous.y { continue }
            let (low, high, direction): ((x: Double, y: Double), (x: Double, y: Double), Int32) =
                p.y > previous.y ? (previous, p, 1) : (p, previous, -1)
            let slope = (high.x - low.x) / (high.y - low.y)
            edges.append(PolygonEdge(y0: low.y, y1: high.y, x0: low.x, slope: slope, direction: direction * flip))
        }
    }
}

/// Where a scanline crosses an edge.
struct Crossing {
    var x: Double
    var direction: Int32
}

/// Polygons under the non-zero winding rule.
struct PolygonSpans: SpanSource {
    let edges: UnsafeBufferPointer<PolygonEdge>
    let crossings: UnsafeMutableBufferPointer<Crossing>
    let minY: Double
    let maxY: Double

    mutating func cover(y: Double, into row: inout CoverageRow) {
        var n = 0
        for edge in edges where y >= edge.y0 && y < edge.y1 {
            let crossing = Crossing(x: edge.x0 + (y - edge.y0) * edge.slope, direction: edge.direction)
            // Insertion sort: scanlines cross few edges.
            var k = n
            while k > 0 && crossings[k - 1].x > crossing.x {
                crossings[k] = crossings[k - 1]
                k -= 1
            }
            crossings[k] = crossing
            n += 1
        }
        var winding: Int32 = 0
        var start = 0.0
        for k in 0..<n {
            let before = winding
            winding += crossings[k].direction
            if before == 0 && winding != 0 {
                start = crossings[k].x
            } else if before != 0 && winding == 0 {
                row.add(start, crossings[k].x)
            }
        }
    }
}

/// A disc.
struct CircleSpans: SpanSource {
    let cx: Double, cy: Double, radiusSquared: Double
    let minY: Double, maxY: Double

    init(cx: Double, cy: Double, radius: Double) {
        self.cx = cx
        self.cy = cy
        self.radiusSquared = radius * radius
        self.minY = cy - radius
        self.maxY = cy + radius
    }

    @inline(__always)
    mutating func cover(y: Double, into row: inout CoverageRow) {
        let dy = y - cy
        let t = radiusSquared - dy * dy
        guard t > 0 else { return }
        let h = t.squareRoot()
        row.add(cx - h, cx + h)
    }
}

/// Points within `radius` of segment AB: the union of the two end discs and the rectangle between them.
/// The shape is convex, so each line meets it in one interval: the hull of the three pieces' intervals.
struct CapsuleSpans: SpanSource {
    let ax: Double, ay: Double, bx: Double, by: Double
    let radius: Double, radiusSquared: Double
    /// Unit direction and normal of AB, with reciprocals of their x parts (0 when the part is ~0).
    let ux: Double, uy: Double, nx: Double, ny: Double
    let invUx: Double, invNx: Double
    let length: Double
    let minY: Double, maxY: Double

    init(a: (x: Double, y: Double), b: (x: Double, y: Double), radius: Double) {
        (ax, ay, bx, by) = (a.x, a.y, b.x, b.y)
        self.radius = radius
        self.radiusSquared = radius * radius
        let dx = b.x - a.x, dy = b.y - a.y
        length = (dx * dx + dy * dy).squareRoot()
        if length > 0 {
            ux = dx / length
            uy = dy / length
        } else {
            ux = 1
            uy = 0
        }
        nx = -uy
        ny = ux
        invUx = abs(ux) > 1e-12 ? 1 / ux : 0
        invNx = abs(nx) > 1e-12 ? 1 / nx : 0
        minY = min(a.y, b.y) - radius
        maxY = max(a.y, b.y) + radius
    }

    @inline(__always)
    mutating func cover(y: Double, into row: inout CoverageRow) {
        var lo = Double.infinity, hi = -Double.infinity
        let dya = y - ay, dyb = y - by
        let ta = radiusSquared - dya * dya
        if ta > 0 {
            let h = ta.squareRoot()
            lo = ax - h
            hi = ax + h
        }
        let tb = radiusSquared - dyb * dyb
        if tb > 0 {
            let h = tb.squareRoot()
            lo = min(lo, bx - h)
            hi = max(hi, bx + h)
        }
        if length > 0 {
            // Rectangle: 0 <= u.(p - a) <= length and |n.(p - a)| <= radius, each linear in x on this line.
            var xl = -Double.infinity, xr = Double.infinity
            let along = uy * dya
            if invUx != 0 {
                let e0 = -along * invUx, e1 = (length - along) * invUx
                xl = max(xl, min(e0, e1))
                xr = min(xr, max(e0, e1))
            } else if along < 0 || along > length {
                xr = -Double.infinity
            }
            let across = ny * dya
            if invNx != 0 {
                let e0 = (-radius - across) * invNx, e1 = (radius - across) * invNx
                xl = max(xl, min(e0, e1))
                xr = min(xr, max(e0, e1))
            } else if abs(across) > radius {
                xr = -Double.infinity
            }
            if xl < xr {
                lo = min(lo, ax + xl)
                hi = max(hi, ax + xr)
            }
        }
        if lo < hi { row.add(lo, hi) }
    }
}

/// A convex quadrilateral (corners in order around it), stored inline so building one never allocates.
struct Quad {
    var p0, p1, p2, p3: (x: Double, y: Double)

    var minY: Double { min(min(p0.y, p1.y), min(p2.y, p3.y)) }
    var maxY: Double { max(max(p0.y, p1.y), max(p2.y, p3.y)) }

    /// The `(lo, hi)` x-interval the quad covers at `y`, or nil.
    @inline(__always)
    func slice(_ y: Double) -> (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        @inline(__always) func edge(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) {
            let (y0, y1) = a.y < b.y ? (a.y, b.y) : (b.y, a.y)
            if y >= y0 && y < y1 {
                let x = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)
                lo = min(lo, x)
                hi = max(hi, x)
            }
        }
        edge(p0, p1)
        edge(p1, p2)
        edge(p2, p3)
        edge(p3, p0)
        return lo < hi ? (lo, hi) : nil
    }
}

/// Two crossing bars (rotated rectangles) drawn as one union.
struct CrossSpans: SpanSource {
    let bar1: Quad, bar2: Quad
    let minY: Double, maxY: Double

    init(center: (x: Double, y: Double), halfLength: Double, halfThickness: Double, angle: Double) {
        let c = cos(angle), s = sin(angle)
        func point(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
            (x: center.x + c * x - s * y, y: center.y + s * x + c * y)
        }
        func bar(_ hx: Double, _ hy: Double) -> Quad {
            Quad(p0: point(-hx, -hy), p1: point(hx, -hy), p2: point(hx, hy), p3: point(-hx, hy))
        }
        bar1 = bar(halfLength, halfThickness)
        bar2 = bar(halfThickness, halfLength)
        minY = min(bar1.minY, bar2.minY)
        maxY = max(bar1.maxY, bar2.maxY)
    }

    mutating func cover(y: Double, into row: inout CoverageRow) {
        switch (bar1.slice(y), bar2.slice(y)) {
        case let (a?, b?):
            if a.1 < b.0 || b.1 < a.0 {
                row.add(a.0, a.1)
                row.add(b.0, b.1)
            } else {
                row.add(min(a.0, b.0), max(a.1, b.1))
            }
        case let (a?, nil): row.add(a.0, a.1)
        case let (nil, b?): row.add(b.0, b.1)
        case (nil, nil): break
        }
    }
}
