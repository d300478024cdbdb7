import EWMIO
import Foundation
import Tensor
import Testing

/// The `.npy`, `.npz` and safetensors readers on mutated and truncated bytes. Invariants per case:
/// - no crash; a thrown error is the reader's own (`IOError`, `SafeTensorsError`) with a message;
/// - a strict prefix of a valid file (truncation) is an error, never a success;
/// - a success is self-consistent (every array's bytes match its shape and dtype) and holds no more bytes than the input;
/// - the input bytes (and, for files, the file) are unchanged by reading.
@Suite struct ReaderFuzzTests {
    static func validNpz() throws -> [UInt8] {
        let arrays: [(String, NpyArray)] = [
            ("obs", try NpyArray(float64: (0..<24).map { Double($0) * 0.5 }, shape: [2, 3, 4])),
            ("seed", try NpyArray(int64: [3, 5], shape: [2])),
            ("done", try NpyArray(bool: [true, false, true], shape: [3])),
            ("scalar", try NpyArray(float32: [1.5], shape: [])),
        ]
        return [UInt8](try Npz.encode(arrays, compressed: false)) + []
    }

    static func validSafeTensors() throws -> [UInt8] {
        let state = SafeTensors(
            tensors: [
                "a.weight": AnyTensor(try Tensor<Float>(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])),
                "b.bias": AnyTensor(try Tensor<Double>(shape: [2], scalars: [0.5, -0.5])),
            ], metadata: ["format": "fuzz", "step": "3"])
        return try state.encoded()
    }

    func consistent(_ arrays: [String: NpyArray]) -> Bool {
        arrays.values.allSatisfy { a in
            let count = a.shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? -1 : $0 * $1 }
            return count >= 0 && a.data.count == count * a.dtype.itemSize
        }
    }

    @Test func npyAndNpzReadersSurviveMutations() throws {
        let npz = try Self.validNpz()
        let npy = [UInt8](Npy.encode(try NpyArray(float64: [1, 2, 3, 4, 5, 6], shape: [2, 3])))
        let cases = fuzzCases(1500)
        var errors = 0, successes = 0
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for index in 0..<cases {
            var fuzz = Fuzz(seed: 0x4E50, index: index)
            let isZip = fuzz.chance(0.5)
            let (bytes, truncated) = fuzz.mutate(isZip ? npz : npy)
            let data = Data(bytes)
            do {
                if isZip {
                    let arrays: [String: NpyArray]
                    if index % 10 == 0 {
                        // Through a file now and then: the file must be unchanged by reading it.
                        let url = dir.appendingPathComponent("case-\(index).npz")
                        try data.write(to: url)
                        arrays = try Npz.read(from: url)
                        #expect(try Data(contentsOf: url) == data)
                    } else {
                        arrays = try Npz.decode(data, path: "case-\(index).npz")
                    }
                    #expect(consistent(arrays), "case \(index)")
                } else {
                    let array = try Npy.decode(data, name: "case-\(index).npy")
                    #expect(consistent(["a": array]) && array.data.count <= data.count, "case \(index)")
                }
                successes += 1
                #expect(!truncated || bytes.count == (isZip ? npz : npy).count, "case \(index): a truncated file was read")
            } catch let error as IOError {
                errors += 1
                #expect(!error.description.isEmpty)
            } catch {
                Issue.record("case \(index): not an IOError: \(error)")
            }
            #expect([UInt8](data) == bytes)
        }
        print("npy/npz fuzz: \(cases) cases, \(errors) errors, \(successes) reads")
    }

    @Test func safetensorsReaderSurvivesMutations() throws {
        let valid = try Self.validSafeTensors()
        let cases = fuzzCases(1500)
        var errors = 0, successes = 0
        for index in 0..<cases {
            var fuzz = Fuzz(seed: 0x5AFE, index: index)
            let (bytes, truncated) = fuzz.mutate(valid)
            let copy = bytes
            do {
                let state = try SafeTensors.decode(bytes)
                successes += 1
                #expect(!truncated, "case \(index): a truncated file was read")
                for t in state.tensors.values {
                    #expect(t.shape.reduce(1, *) >= 0)
                }
                // A success may hold non-finite weights (bytes flipped in the data); the weights loader refuses those.
                if let bad = state.firstNonFinite { #expect(!bad.tensor.isEmpty) }
            } catch let error as SafeTensorsError {
                errors += 1
                #expect(!error.description.isEmpty)
            } catch {
                Issue.record("case \(index): not a SafeTensorsError: \(error)")
            }
            #expect(bytes == copy)
        }
        print("safetensors fuzz: \(cases) cases, \(errors) errors, \(successes) reads")
    }
}
