import Foundation

/// An 8-bit sRGB colour.
public struct RGB: Equatable, Hashable, Sendable {
    public var r, g, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)

    /// Linear interpolation in 8-bit space: `t = 0` gives `self`, `t = 1` gives `other` (`t` is clamped to 0...1).
    public func mixed(with other: RGB, _ t: Double) -> RGB {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return RGB(mix(r, other.r), mix(g, other.g), mix(b, other.b))
    }
}

/// An 8-bit RGB raster: row-major, 3 bytes per pixel, row 0 at the top.
public struct RGBImage: Equatable, Sendable {
    /// Width in pixels (>= 1).
    public let width: Int
    /// Height in pixels (>= 1).
    public let height: Int
    /// `width * height * 3` bytes: R, G, B of pixel (0, 0), then (1, 0), ...; row `y` starts at `3 * width * y`.
    public var pixels: [UInt8]

    /// An image of one colour.
    /// - Precondition: `width >= 1`, `height >= 1` and `width * height * 3` fits in memory.
    public init(width: Int, height: Int, fill: RGB) {
        precondition(width >= 1 && height >= 1, "RGBImage needs width and height >= 1, got \(width)x\(height)")
        precondition(width <= 1 << 20 && height <= 1 << 20, "RGBImage \(width)x\(height) is too large")
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        if fill != .black {
            pixels.withUnsafeMutableBufferPointer { buffer in
                var i = 0
                while i < buffer.count {
                    buffer[i] = fill.r
                    buffer[i + 1] = fill.g
                    buffer[i + 2] = fill.b
                    i += 3
                }
            }
        }
        self.pixels = pixels
    }

    /// Wraps existing pixel bytes.
    /// - Throws: `IOError.invalidArgument` if the size is not positive or `pixels.count != width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width >= 1, height >= 1, width <= 1 << 20, height <= 1 << 20 else {
            throw IOError.invalidArgument("RGBImage needs width and height in 1...\(1 << 20), got \(width)x\(height)")
        }
        guard pixels.count == width * height * 3 else {
            throw IOError.invalidArgument("RGBImage \(width)x\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at column `x`, row `y` (0-based, row 0 on top).
    /// - Precondition: `0 <= x < width`, `0 <= y < height`.
    public subscript(x: Int, y: Int) -> RGB {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height) image")
            let i = (y * width + x) * 3
            return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height) image")
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// Sets every pixel to `color`.
    public mutating func fill(_ color: RGB) {
        pixels.withUnsafeMutableBufferPointer { buffer in
            if color.r == color.g && color.g == color.b {
                buffer.update(repeating: color.r)
                return
            }
            var i = 0
            while i < buffer.count {
                buffer[i] = color.r
                buffer[i + 1] = color.g
                buffer[i + 2] = color.b
                i += 3
            }
        }
    }

    /// A copy enlarged by an integer `factor` with nearest-neighbour sampling (crisp pixels for viewing).
    /// - Precondition: `factor >= 1`.
    public func upscaled(by factor: Int) -> RGBImage {
        precondition(factor >= 1, "upscale factor must be >= 1, got \(factor)")
        if factor == 1 { return self }
        var out = RGBImage(width: width * factor, height: height * factor, fill: .black)
        let outWidth = out.width
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<(height * factor) {
                    let srcRow = (y / factor) * width * 3
                    let dstRow = y * outWidth * 3
                    for x in 0..<outWidth {
                        let s = srcRow + (x / factor) * 3
                        let d = dstRow + x * 3
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return out
    }

    /// Number of pixels that differ from `color`.
    public func countPixels(notEqualTo color: RGB) -> Int {
        var n = 0
        var i = 0
        while i < pixels.count {
            if pixels[i] != color.r || pixels[i + 1] != color.g || pixels[i + 2] != color.b { n += 1 }
            i += 3
        }
        return n
    }
}
