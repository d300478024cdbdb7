/// An array-valued observation: its shape and its elements (Double, or bytes for images).
public struct Observation: Equatable, Sendable {
    public enum Storage: Equatable, Sendable {
        case float64([Double])
        case uint8([UInt8])
    }

    public var shape: [Int]
    public var storage: Storage

    public init(_ values: [Double], shape: [Int]? = nil) {
        self.shape = shape ?? [values.count]
        self.storage = .float64(values)
    }

    public init(bytes: [UInt8], shape: [Int]) {
        self.shape = shape
        self.storage = .uint8(bytes)
    }

    public var dtype: DType {
        switch storage {
        case .float64: return .float64
        case .uint8: return .uint8
        }
    }

    /// The elements as Double (bytes converted).
    public var values: [Double] {
        switch storage {
        case .float64(let v): return v
        case .uint8(let v): return v.map(Double.init)
        }
    }

    public var isFinite: Bool {
        if case .float64(let v) = storage { return v.allSatisfy(\.isFinite) }
        return true
    }
}
