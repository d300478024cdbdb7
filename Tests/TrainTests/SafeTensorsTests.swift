import Foundation
import Testing
import Tensor

struct SafeTensorsTests {
    func sample() throws -> SafeTensors {
        var rng = Xoshiro256(seed: 3)
        return SafeTensors(
            tensors: [
                "a.weight": .f32(Tensor<Float>.randomNormal([3, 4], using: &rng)),
                "b": .f64(Tensor<Double>.randomNormal([5], using: &rng)),
                "empty": .f32(Tensor<Float>(shape: [0, 2])),
            ],
            metadata: ["config": "{\"dim\":2}"])
    }

    @Test func roundTripIsExactAndAtomic() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.safetensors")
        let s = try sample()
        try s.write(to: url)
        try s.write(to: url)  // overwriting goes through a temp file + rename as well
        #expect(try SafeTensors.read(from: url) == s)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["x.safetensors"])
        let bytes = try s.encoded()
        #expect((8 + Int(bytes[0])) % 8 == 0)  // header padded to 8-byte alignment
        #expect(
            try SafeTensors.decode(bytes).tensor("a.weight", as: Float.self, shape: [3, 4])
                == (try s.tensor("a.weight", as: Float.self)))
    }

    /// Errors from a file name it; the defect underneath stays inspectable.
    @Test func fileErrorsNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("cut.safetensors")
        try Data(try sample().encoded().prefix(20)).write(to: url)
        #expect {
            try SafeTensors.read(from: url)
        } throws: { error in
            guard let e = error as? SafeTensorsError, case .inFile(let path, _) = e, case .truncated = e.underlying else { return false }
            return path == url.path && e.description.contains("cut.safetensors") && e.description.contains("truncated")
        }
    }

    /// A file whose JSON header we write by hand.
    func file(header: String, dataBytes: Int) -> [UInt8] {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        var out = [UInt8]()
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out += $0 }
        return out + h + [UInt8](repeating: 0, count: dataBytes)
    }

    @Test func truncatedFilesAreRejected() throws {
        let bytes = try sample().encoded()
        for cut in [0, 5, 20, bytes.count - 1] {
            #expect {
                try SafeTensors.decode(Array(bytes.prefix(cut)))
            } throws: { error in
                if case SafeTensorsError.truncated = error { return true }
                return false
            }
        }
    }

    @Test func oversizedFilesAreRejected() throws {
        let bytes = try sample().encoded()
        #expect(
            throws: SafeTensorsError.oversized(
                expectedBytes: bytes.count - 8 - Int(bytes[0]) - Int(bytes[1]) * 256,
                actualBytes: bytes.count - 8 - Int(bytes[0]) - Int(bytes[1]) * 256 + 3)
        ) {
            try SafeTensors.decode(bytes + [1, 2, 3])
        }
        var huge = bytes
        huge.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: SafeTensorsError.headerTooLarge(length: 0x7FFF_FFFF_FFFF_FFFF, limit: SafeTensors.headerLimit)) {
            try SafeTensors.decode(huge)
        }
    }

    @Test func overlappingAndHolesAreRejected() {
        let overlap = file(
            header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, dataBytes: 12)
        #expect(throws: SafeTensorsError.overlappingTensors("a", "b")) { try SafeTensors.decode(overlap) }
        let hole = file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataBytes: 8)
        #expect(throws: SafeTensorsError.invalidOffsets("hole of 4 bytes before tensor 'a'")) { try SafeTensors.decode(hole) }
    }

    @Test func mistypedFilesAreRejected() throws {
        let int8 = file(header: #"{"a":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}}"#, dataBytes: 4)
        #expect(throws: SafeTensorsError.unsupportedDType(tensor: "a", dtype: "I8")) { try SafeTensors.decode(int8) }
        let size = file(header: #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 8)
        #expect(throws: SafeTensorsError.sizeMismatch(tensor: "a", expectedBytes: 16, actualBytes: 8)) { try SafeTensors.decode(size) }
        let s = try sample()
        #expect(throws: SafeTensorsError.dtypeMismatch(tensor: "b", expected: "F32", found: "F64")) {
            try s.tensor("b", as: Float.self)
        }
        #expect(throws: SafeTensorsError.shapeMismatch(tensor: "b", expected: [4], found: [5])) {
            try s.tensor("b", as: Double.self, shape: [4])
        }
        #expect(throws: SafeTensorsError.missingTensor("c")) { try s.tensor("c", as: Double.self) }
    }

    @Test func malformedHeadersAreRejected() {
        for header in [
            "not json", "[1,2]", #"{"a":3}"#, #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#,
            #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, #"{"__metadata__":{"k":1}}"#,
        ] {
            #expect {
                try SafeTensors.decode(file(header: header, dataBytes: 4))
            } throws: { error in
                if case SafeTensorsError.invalidHeader = error { return true }
                return false
            }
        }
    }
}
