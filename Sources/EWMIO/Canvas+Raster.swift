import Foundation

/// A shape that can report which world-x intervals it covers on a horizontal line.
protocol SpanSource {
    /// World-y extent; lines outside it cover nothing.
    var minY: Double { get }
    var maxY: Double { get }
    /// Reports the covered intervals `[lo, hi)` at world height `y` with `row.add(lo, hi)`,
    /// disjoint and in any order.
    mutating func cover(y: Double, into row: inout CoverageRow)
}

/// Sample counts for one pixel row, accumulated over its sub-scanlines.
///
/// A span covering sample columns `k0..<k1` adds partial counts to its first and last pixel and
/// records the fully covered pixels between them in a difference array, so a long span costs O(1).
struct CoverageRow {
    let partial: UnsafeMutablePointer<Int32>
    let runs: UnsafeMutablePointer<Int32>
    /// Samples per pixel side.
    let s: Int
    /// Sample columns per row: `width * s`.
    let sampleLimit: Double
    /// Sample columns per world unit.
    let samplesPerUnit: Double
    let minX: Double
    /// Leftmost and rightmost touched pixel columns (`colMin > colMax` means none).
    var colMin = Int.max
    var colMax = -1

    /// Adds the samples with centres `lo <= x < hi` (world units) on the current sub-scanline.
    @inline(__always)
    mutating func add(_ lo: Double, _ hi: Double) {
        // Sample k has centre (k + 0.5) / s pixels; it is inside when lo <= centre < hi.
        let kLo = min(max(((lo - minX) * samplesPerUnit - 0.5).rounded(.up), 0), sampleLimit)
        let kHi = min(max(((hi - minX) * samplesPerUnit - 0.5).rounded(.up), 0), sampleLimit)
        guard kLo < kHi else { return }
        let k0 = Int(kLo), k1 = Int(kHi)
        let i0 = k0 / s, i1 = (k1 - 1) / s
        if i0 == i1 {
            partial[i0] += Int32(k1 - k0)
        } else {
            partial[i0] += Int32((i0 + 1) * s - k0)
            partial[i1] += Int32(k1 - i1 * s)
            runs[i0 + 1] += Int32(s)
            runs[i1] -= Int32(s)
        }
        if i0 < colMin { colMin = i0 }
        if i1 > colMax { colMax = i1 }
    }
}

extension Canvas {
    /// Fills `shape` with `color`, anti-aliased by coverage counting.
    mutating func rasterize<S: SpanSource>(_ shape: inout S, color: RGB) {
        let width = pixels.width, height = pixels.height
        let s = supersample
        let pyMin = (shape.minY - world.minY) * scaleY
        let pyMax = (shape.maxY - world.minY) * scaleY
        guard pyMin.isFinite, pyMax.isFinite, pyMax > 0, pyMin < Double(height), pyMin <= pyMax else { return }
        // Clamp in floating point first: extents far outside the image must not overflow Int.
        let rowStart = pyMin <= 0 ? 0 : Int(pyMin.rounded(.down))
        let rowEnd = pyMax >= Double(height) ? height - 1 : Int(pyMax.rounded(.down))
        guard rowStart <= rowEnd else { return }
        let full = Int32(s * s)
        let (cr, cg, cb) = (Int32(color.r), Int32(color.g), Int32(color.b))
        let invScaleY = 1 / scaleY
        let subStep = 1 / Double(s)

        var partialBuffer: [Int32] = []
        var runsBuffer: [Int32] = []
        swap(&partialBuffer, &partial)
        swap(&runsBuffer, &runs)
        defer {
            swap(&partialBuffer, &partial)
            swap(&runsBuffer, &runs)
        }
        alphaTable.withUnsafeBufferPointer { alpha in
            partialBuffer.withUnsafeMutableBufferPointer { partialPointer in
                runsBuffer.withUnsafeMutableBufferPointer { runsPointer in
                    self.pixels.pixels.withUnsafeMutableBufferPointer { pixels in
                        var row = CoverageRow(
                            partial: partialPointer.baseAddress!, runs: runsPointer.baseAddress!, s: s,
                            sampleLimit: Double(width * s), samplesPerUnit: scaleX * Double(s), minX: world.minX)
                        for j in rowStart...rowEnd {
                            row.colMin = Int.max
                            row.colMax = -1
                            var py = Double(j) + 0.5 * subStep
                            for _ in 0..<s {
                                if py >= pyMin && py <= pyMax {
                                    shape.cover(y: world.minY + py * invScaleY, into: &row)
                                }
                                py += subStep
                            }
                            guard row.colMin <= row.colMax else { continue }
                            // Resolve counts and blend; leaves both buffers zeroed for the next row.
                            var running: Int32 = 0
                            var p = (j * width + row.colMin) * 3
                            for i in row.colMin...row.colMax {
                                running += row.runs[i]
                                row.runs[i] = 0
                                let count = row.partial[i] + running
                                row.partial[i] = 0
                                if count >= full {
                                    pixels[p] = color.r
                                    pixels[p + 1] = color.g
                                    pixels[p + 2] = color.b
                                } else if count > 0 {
                                    let a = alpha[Int(count)], keep = 256 - a
                                    pixels[p] = UInt8(truncatingIfNeeded: (Int32(pixels[p]) * keep + cr * a + 128) >> 8)
                                    pixels[p + 1] = UInt8(truncatingIfNeeded: (Int32(pixels[p + 1]) * keep + cg * a + 128) >> 8)
                                    pixels[p + 2] = UInt8(truncatingIfNeeded: (Int32(pixels[p + 2]) * keep + cb * a + 128) >> 8)
                                }
                                p += 3
                            }
                        }
                    }
                }
            }
        }
    }
}
