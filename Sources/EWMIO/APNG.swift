import Foundation

/// Animated PNG (APNG), which every current browser plays and still viewers show as the first frame.
///
/// Layout: signature, IHDR, `acTL` (frame count, loop forever), then per frame an `fcTL`
/// (size, offset 0, delay, dispose none, blend source) followed by the image data (IDAT for frame 0,
/// `fdAT` with a sequence number for later frames), and IEND. `fcTL`/`fdAT` share one sequence counter.
public enum APNG {
    /// An animated PNG (browsers play it), frames all the same size, `fps` frames per second, loops forever.
    ///
    /// - Parameters:
    ///   - frames: at least one image; all with the first frame's width and height.
    ///   - fps: frames per second, finite and in `0.001...1000`. Integer rates are exact (delay `1/fps` s);
    ///     others are rounded to whole milliseconds.
    /// - Throws: `IOError.invalidArgument` for an empty frame list, mismatched sizes or a bad `fps`.
    public static func encode(_ frames: [RGBImage], fps: Double) throws -> Data {
        guard let first = frames.first else { throw IOError.invalidArgument("APNG needs at least one frame") }
        let (delayNum, delayDen) = try delay(fps: fps)
        for (index, frame) in frames.enumerated() where frame.width != first.width || frame.height != first.height {
            throw IOError.invalidArgument("APNG frame \(index) is \(frame.width)x\(frame.height), frame 0 is \(first.width)x\(first.height)")
        }
        var out = Data(PNG.signature)
        PNG.appendChunk("IHDR", PNG.header(width: first.width, height: first.height), to: &out)
        var actl = Data()
        Zlib.appendBigEndian(UInt32(frames.count), to: &actl)
        Zlib.appendBigEndian(0, to: &actl)  // 0 plays = loop forever
        PNG.appendChunk("acTL", actl, to: &out)

        var sequence: UInt32 = 0
        for (index, frame) in frames.enumerated() {
            var fctl = Data()
            Zlib.appendBigEndian(sequence, to: &fctl)
            sequence += 1
            Zlib.appendBigEndian(UInt32(frame.width), to: &fctl)
            Zlib.appendBigEndian(UInt32(frame.height), to: &fctl)
            Zlib.appendBigEndian(0, to: &fctl)  // x offset
            Zlib.appendBigEndian(0, to: &fctl)  // y offset
            fctl.append(contentsOf: [UInt8(delayNum >> 8), UInt8(delayNum & 0xFF), UInt8(delayDen >> 8), UInt8(delayDen & 0xFF)])
            fctl.append(contentsOf: [0, 0])  // dispose_op NONE, blend_op SOURCE
            PNG.appendChunk("fcTL", fctl, to: &out)

            let compressed = Zlib.compress(PNG.filteredScanlines(frame, filtering: .none))
            if index == 0 {
                PNG.appendChunk("IDAT", compressed, to: &out)
            } else {
                var fdat = Data()
                Zlib.appendBigEndian(sequence, to: &fdat)
                sequence += 1
                fdat.append(compressed)
                PNG.appendChunk("fdAT", fdat, to: &out)
            }
        }
        PNG.appendChunk("IEND", Data(), to: &out)
        return out
    }

    /// Encodes and writes atomically.
    public static func write(_ frames: [RGBImage], fps: Double, to url: URL) throws {
        try writeAtomically(encode(frames, fps: fps), to: url)
    }

    /// The frame delay as the `(numerator, denominator)` seconds fraction of `fcTL`.
    static func delay(fps: Double) throws -> (UInt16, UInt16) {
        guard fps.isFinite, fps >= 0.001, fps <= 1000 else {
            throw IOError.invalidArgument("fps must be finite and in 0.001...1000, got \(fps)")
        }
        if fps == fps.rounded() { return (1, UInt16(fps)) }
        let millis = (1000 / fps).rounded()
        if millis <= 65535 { return (UInt16(max(1, millis)), 1000) }
        return (UInt16(min(65535, (1 / fps).rounded())), 1)
    }
}
