@testable import EWMIO
import Foundation
import Testing

@Suite struct PNGTests {
    /// A small image whose row bands favour different PNG filters: repeated noise rows (Up),
    /// horizontal ramps with row offsets (Sub), then fresh noise.
    static func testImage(width: Int = 37, height: Int = 23) -> RGBImage {
        var image = RGBImage(width: width, height: height, fill: RGB(10, 200, 30))
        var state: UInt32 = 12345
        func noise() -> UInt8 {
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
        let repeated = (0..<width).map { _ in RGB(noise(), noise(), noise()) }
        for y in 0..<height {
            for x in 0..<width {
                switch y {
                case 0..<8: image[x, y] = repeated[x]
                case 8..<16:
                    let v = UInt8(truncatingIfNeeded: x * 3 + y * 100)
                    image[x, y] = RGB(v, v &+ 1, v &+ 2)
                default: image[x, y] = RGB(noise(), noise(), noise())
                }
            }
        }
        return image
    }

    @Test func checksumsMatchReferenceValues() {
        #expect(Zlib.crc32(Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(Zlib.crc32(Data("6789".utf8), seed: Zlib.crc32(Data("12345".utf8))) == 0xCBF4_3926)
        #expect(Zlib.adler32(Data("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Zlib.adler32(Data()) == 1)
        let big = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        #expect(Zlib.crc32(big) == referenceCRC32([UInt8](big)))
    }

    @Test func zlibRoundTripsIncludingStoredFallback() throws {
        for data in [Data(), Data([42]), Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 % 251) })] {
            let stream = Zlib.compress(data)
            #expect((Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0)
            #expect(try Zlib.decompress(stream, name: "t") == data)
            for level in [0, 1, 9] {
                #expect(try Zlib.decompress(Zlib.compress(data, level: level), name: "t") == data)
            }
            var stored = Data([0x78, 0x01])
            stored.append(Zlib.storedDeflate(data))
            Zlib.appendBigEndian(Zlib.adler32(data), to: &stored)
            #expect(try Zlib.decompress(stored, name: "stored") == data)
        }
        let bad = ioError { _ = try Zlib.decompress(Data([0x78, 0x9C, 0xFF, 0xFF, 0, 0, 0, 0]), name: "junk") }
        #expect(bad != nil)
        let short = Zlib.compress(Data(repeating: 3, count: 1000))
        #expect(ioError { _ = try Zlib.decompress(short.prefix(short.count - 6) + Data([0, 0, 0, 0]), name: "cut") } != nil)
    }

    @Test(arguments: [PNG.Filtering.none, .adaptive])
    func structureChecksumsAndPixels(filtering: PNG.Filtering) throws {
        let image = Self.testImage()
        let png = PNG.encode(image, filtering: filtering, compressionLevel: 6)
        let chunks = try #require(parseChunks(png))
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        for chunk in chunks {
            #expect(chunk.storedCRC == referenceCRC32(Array(chunk.type.utf8) + chunk.payload), "CRC of \(chunk.type)")
        }
        let ihdr = chunks[0].payload
        #expect(bigEndian32(ihdr, 0) == 37 && bigEndian32(ihdr, 4) == 23)
        #expect(Array(ihdr[8...]) == [8, 2, 0, 0, 0])
        #expect(chunks[2].payload.isEmpty)

        let scanlines = try Zlib.decompress(Data(chunks[1].payload), name: "IDAT")
        #expect(scanlines == PNG.filteredScanlines(image, filtering: filtering))
        #expect(unfilter([UInt8](scanlines), width: image.width, height: image.height) == image.pixels)
        let filterTypes = Set((0..<image.height).map { scanlines[$0 * (image.width * 3 + 1)] })
        if filtering == .none {
            #expect(filterTypes == [0])
        } else {
            #expect(filterTypes.count >= 2, "adaptive filtering used \(filterTypes)")
        }
    }

    @Test func defaultEncodeAndWrite() throws {
        let image = RGBImage(width: 1, height: 1, fill: RGB(1, 2, 3))
        let png = PNG.encode(image)
        let chunks = try #require(parseChunks(png))
        #expect(try Zlib.decompress(Data(chunks[1].payload), name: "IDAT") == Data([0, 1, 2, 3]))
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("p.png")
        try PNG.write(Self.testImage(), to: url)
        #expect(try Data(contentsOf: url) == PNG.encode(Self.testImage()))
    }

    @Test func apngStructure() throws {
        let frames = (0..<3).map { i in RGBImage(width: 4, height: 2, fill: RGB(UInt8(i * 80), 0, 0)) }
        let apng = try APNG.encode(frames, fps: 10)
        let chunks = try #require(parseChunks(apng))
        #expect(chunks.map(\.type) == ["IHDR", "acTL", "fcTL", "IDAT", "fcTL", "fdAT", "fcTL", "fdAT", "IEND"])
        for chunk in chunks {
            #expect(chunk.storedCRC == referenceCRC32(Array(chunk.type.utf8) + chunk.payload))
        }
        #expect(bigEndian32(chunks[1].payload, 0) == 3)  // frames
        #expect(bigEndian32(chunks[1].payload, 4) == 0)  // loop forever
        // Sequence numbers run 0, 1, 2, ... across fcTL and fdAT.
        let sequence = chunks.filter { $0.type == "fcTL" || $0.type == "fdAT" }.map { bigEndian32($0.payload, 0) }
        #expect(sequence == [0, 1, 2, 3, 4])
        let fctl = chunks[2].payload
        #expect(fctl.count == 26)
        #expect(bigEndian32(fctl, 4) == 4 && bigEndian32(fctl, 8) == 2)
        #expect(Array(fctl[20..<26]) == [0, 1, 0, 10, 0, 0])  // delay 1/10 s, dispose none, blend source
        let third = try Zlib.decompress(Data(chunks[7].payload.dropFirst(4)), name: "fdAT")
        #expect(unfilter([UInt8](third), width: 4, height: 2) == frames[2].pixels)
        let first = try Zlib.decompress(Data(chunks[3].payload), name: "IDAT")
        #expect(unfilter([UInt8](first), width: 4, height: 2) == frames[0].pixels)

        #expect(try APNG.delay(fps: 7.5) == (133, 1000))
        #expect(ioError { _ = try APNG.encode([], fps: 10) } == .invalidArgument("APNG needs at least one frame"))
        #expect(ioError { _ = try APNG.encode(frames, fps: .nan) } != nil)
        #expect(ioError { _ = try APNG.encode(frames, fps: 0) } != nil)
        let mixed = frames + [RGBImage(width: 5, height: 2, fill: .black)]
        #expect(ioError { _ = try APNG.encode(mixed, fps: 10) } == .invalidArgument("APNG frame 3 is 5x2, frame 0 is 4x2"))
    }

    @Test func imageBasics() throws {
        var image = RGBImage(width: 3, height: 2, fill: RGB(9, 8, 7))
        #expect(image.pixels.count == 18)
        image[2, 1] = RGB(1, 2, 3)
        #expect(image[2, 1] == RGB(1, 2, 3))
        #expect(Array(image.pixels[15..<18]) == [1, 2, 3])
        #expect(image.countPixels(notEqualTo: RGB(9, 8, 7)) == 1)
        let big = image.upscaled(by: 2)
        #expect(big.width == 6 && big.height == 4 && big[5, 3] == RGB(1, 2, 3) && big[3, 1] == RGB(9, 8, 7))
        image.fill(.white)
        #expect(image.countPixels(notEqualTo: .white) == 0)
        #expect(ioError { _ = try RGBImage(width: 2, height: 2, pixels: [1, 2, 3]) } != nil)
        #expect(try RGBImage(width: 1, height: 1, pixels: [1, 2, 3])[0, 0] == RGB(1, 2, 3))
        #expect(RGB(0, 0, 0).mixed(with: RGB(200, 100, 50), 0.5) == RGB(100, 50, 25))
    }
}
