/// Errors raised at the boundary where shapes or data enter the tensor library.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case shapeMismatch(String)
    case invalidShape([Int])

    public var description: String {
        switch self {
        case .shapeMismatch(let m): return "shape mismatch: \(m)"
        case .invalidShape(let s): return "invalid shape \(s): dimensions must be non-negative"
        }
    }
}

/// A dense, contiguous, row-major tensor of `Float` or `Double`.
public struct Tensor<Scalar: TensorScalar>: Equatable, Sendable {
    public private(set) var shape: [Int]
    public private(set) var scalars: [Scalar]

    /// Number of elements.
    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// A tensor filled with one value.
    public init(shape: [Int], repeating value: Scalar = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.shape = shape
        self.scalars = Array(repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor from its elements in row-major order; throws if the count does not match the shape.
    public init(shape: [Int], scalars: [Scalar]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidShape(shape) }
        let n = shape.reduce(1, *)
        guard n == scalars.count else {
            throw TensorError.shapeMismatch("shape \(shape) holds \(n) elements, got \(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Internal initialiser without checks (the caller guarantees the element count).
    init(unchecked shape: [Int], _ scalars: [Scalar]) {
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape whose elements are written by `body` (no zero fill).
    static func uninitialized(
        _ shape: [Int], _ body: (UnsafeMutableBufferPointer<Scalar>) -> Void
    ) -> Tensor {
        let n = shape.reduce(1, *)
        let a = [Scalar](unsafeUninitializedCapacity: n) { buf, initialized in
            body(buf)
            initialized = n
        }
        return Tensor(unchecked: shape, a)
    }

    /// A scalar (rank-0) tensor.
    public init(_ value: Scalar) {
        self.shape = []
        self.scalars = [value]
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "reshape: \(shape) -> \(newShape) changes the element count")
        return Tensor(unchecked: newShape, scalars)
    }

    /// The single element of a one-element tensor.
    public var scalar: Scalar {
        precondition(count == 1, "scalar: tensor of shape \(shape) has \(count) elements")
        return scalars[0]
    }

    /// Row-major element access by multi-index (for tests and small-scale work).
    public subscript(index: Int...) -> Scalar {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var f = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of range for shape \(shape)")
            f = f * n + i
        }
        return f
    }

    /// Direct access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// Overwrites the elements (same count), keeping the shape.
    public mutating func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        scalars = other.scalars
    }

    /// Converts element type (e.g. Float <-> Double).
    public func converted<T: TensorScalar>(to: T.Type = T.self) -> Tensor<T> {
        Tensor<T>(unchecked: shape, scalars.map { T($0) })
    }
}

extension Tensor {
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// Dot product of the flattened tensors.
    public func dot(_ other: Tensor) -> Scalar {
        precondition(count == other.count, "dot: \(shape) vs \(other.shape)")
        return Scalar._dot(self, other)
    }

    /// Largest absolute element (0 for an empty tensor).
    public var maxAbs: Scalar { Scalar._maxAbs(self) }

    /// Frobenius norm.
    public var norm: Scalar { Scalar.sqrt(Scalar._dot(self, self)) }

    /// self = a * x + b * self.
    public mutating func axpby(_ a: Scalar, _ x: Tensor, _ b: Scalar) {
        precondition(count == x.count, "axpby: \(x.shape) into \(shape)")
        Scalar._axpby(a, x, b, &self)
    }

    /// Matrix product of two rank-2 tensors through BLAS.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        Scalar._matmul(self, other, transposeA: transposeSelf, transposeB: transposeOther)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor<\(Scalar.self)>(shape: \(shape), [\(head)\(count > 8 ? ", ..." : "")])"
    }
}
