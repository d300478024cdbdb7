import Foundation

/// Why a safetensors file was rejected. Each kind of corruption has its own case.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// The file ends before the header length, the header, or the tensor data it announces.
    case truncated(String)
    /// The 8-byte header length is larger than the limit (a corrupt or hostile length field).
    case headerTooLarge(length: UInt64, limit: Int)
    /// The header is not valid JSON or not of the safetensors structure.
    case invalidHeader(String)
    /// A dtype other than F32 / F64.
    case unsupportedDType(tensor: String, dtype: String)
    /// The dtype is valid but not the one requested (e.g. F64 where a Float model loads).
    case dtypeMismatch(tensor: String, expected: String, found: String)
    /// data_offsets span a different number of bytes than dtype and shape require.
    case sizeMismatch(tensor: String, expectedBytes: Int, actualBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(String, String)
    /// The byte ranges leave a hole (or do not start at 0).
    case invalidOffsets(String)
    /// The file has bytes past the end of the last tensor.
    case oversized(expectedBytes: Int, actualBytes: Int)
    /// A tensor the caller needs is absent.
    case missingTensor(String)
    /// A tensor has another shape than the caller needs.
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    /// A tensor holds a NaN or an infinity (a corrupt file, or a training run that diverged).
    case nonFinite(tensor: String, index: Int, value: Double)
    /// Reading or writing the file failed.
    case io(String)
    /// A defect found while reading the file at this path (`read(from:)` names the file).
    indirect case inFile(path: String, SafeTensorsError)

    /// The defect itself, without the file it was found in.
    public var underlying: SafeTensorsError {
        if case .inFile(_, let e) = self { return e.underlying }
        return self
    }

    public var description: String {
        switch self {
        case .truncated(let m): return "safetensors: truncated file: \(m)"
        case .headerTooLarge(let n, let limit): return "safetensors: header length \(n) exceeds the limit of \(limit) bytes"
        case .invalidHeader(let m): return "safetensors: invalid header: \(m)"
        case .unsupportedDType(let t, let d): return "safetensors: tensor '\(t)' has unsupported dtype '\(d)' (F32 and F64 are supported)"
        case .dtypeMismatch(let t, let e, let f): return "safetensors: tensor '\(t)' has dtype \(f), expected \(e)"
        case .sizeMismatch(let t, let e, let a): return "safetensors: tensor '\(t)' needs \(e) bytes but its data_offsets span \(a)"
        case .overlappingTensors(let a, let b): return "safetensors: tensors '\(a)' and '\(b)' overlap"
        case .invalidOffsets(let m): return "safetensors: invalid data offsets: \(m)"
        case .oversized(let e, let a): return "safetensors: file has \(a) data bytes, tensors account for \(e)"
        case .missingTensor(let t): return "safetensors: missing tensor '\(t)'"
        case .shapeMismatch(let t, let e, let f): return "safetensors: tensor '\(t)' has shape \(f), expected \(e)"
        case .nonFinite(let t, let i, let v):
            return "safetensors: tensor '\(t)' holds a non-finite weight (\(v) at flat index \(i)); the file is corrupt or its training diverged"
        case .io(let m): return "safetensors: \(m)"
        case .inFile(let path, let e): return "\(path): \(e.description)"
        }
    }
}

/// A tensor of either supported element type, as stored in a file.
public enum AnyTensor: Equatable, Sendable {
    case f32(Tensor<Float>)
    case f64(Tensor<Double>)

    public init<S: TensorScalar>(_ t: Tensor<S>) {
        if let f = t as? Tensor<Float> { self = .f32(f) } else { self = .f64(t as! Tensor<Double>) }
    }

    public var dtype: String {
        switch self {
        case .f32: return "F32";
        case .f64: return "F64"
        }
    }
    public var shape: [Int] {
        switch self {
        case .f32(let t): return t.shape;
        case .f64(let t): return t.shape
        }
    }

    /// The tensor as `S`; throws `dtypeMismatch` if it is stored as the other type.
    public func tensor<S: TensorScalar>(as _: S.Type = S.self, name: String = "") throws -> Tensor<S> {
        switch self {
        case .f32(let t): if let r = t as? Tensor<S> { return r }
        case .f64(let t): if let r = t as? Tensor<S> { return r }
        }
        throw SafeTensorsError.dtypeMismatch(tensor: name, expected: S.dtypeName, found: dtype)
    }
}

/// The contents of a safetensors file: named tensors and string metadata (`__metadata__`).
public struct SafeTensors: Equatable, Sendable {
    public var tensors: [String: AnyTensor]
    public var metadata: [String: String]

    public init(tensors: [String: AnyTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Largest header accepted when reading (the format's reference implementation uses 100 MB).
    public static let headerLimit = 100_000_000

    /// A named tensor of type `S`, with an optional shape check.
    public func tensor<S: TensorScalar>(_ name: String, as _: S.Type = S.self, shape: [Int]? = nil) throws -> Tensor<S> {
        guard let t = tensors[name] else { throw SafeTensorsError.missingTensor(name) }
        if let shape, t.shape != shape { throw SafeTensorsError.shapeMismatch(tensor: name, expected: shape, found: t.shape) }
        return try t.tensor(as: S.self, name: name)
    }
}
