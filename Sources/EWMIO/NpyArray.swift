import Foundation

/// An n-dimensional array as numpy stores it: a dtype, a shape and raw little-endian bytes in C order.
///
/// Shape `[]` is a 0-d scalar (one element); a shape containing `0` is empty (no bytes).
/// The initialisers check that `data` has exactly `count * dtype.itemSize` bytes.
public struct NpyArray: Equatable {
    /// Element type.
    public var dtype: NpyDType
    /// Dimensions, outermost first (C order). Every entry is >= 0.
    public var shape: [Int]
    /// Raw little-endian element bytes in C (row-major) order.
    public var data: Data

    /// Wraps raw bytes.
    /// - Throws: `IOError.invalidArgument` for a negative or overflowing shape,
    ///   `IOError.sizeMismatch` when `data.count != product(shape) * dtype.itemSize`.
    public init(dtype: NpyDType, shape: [Int], data: Data) throws {
        let count = try NpyArray.elementCount(shape)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw IOError.invalidArgument("shape \(shape) is too large") }
        guard bytes == data.count else {
            throw IOError.sizeMismatch(path: "<array>", shape: shape, expectedBytes: bytes, actualBytes: data.count)
        }
        self.dtype = dtype
        self.shape = shape
        self.data = data.startIndex == 0 ? data : Data(data)
    }

    /// A `<f8` array. - Throws: if `values.count` does not match the shape.
    public init(float64 values: [Double], shape: [Int]) throws {
        try NpyArray.checkCount(values.count, shape)
        try self.init(dtype: .float64, shape: shape, data: NpyArray.packLittleEndian(values.map { $0.bitPattern }))
    }

    /// A `<f4` array. - Throws: if `values.count` does not match the shape.
    public init(float32 values: [Float], shape: [Int]) throws {
        try NpyArray.checkCount(values.count, shape)
        try self.init(dtype: .float32, shape: shape, data: NpyArray.packLittleEndian(values.map { $0.bitPattern }))
    }

    /// A `<i8` array. - Throws: if `values.count` does not match the shape.
    public init(int64 values: [Int64], shape: [Int]) throws {
        try NpyArray.checkCount(values.count, shape)
        try self.init(dtype: .int64, shape: shape, data: NpyArray.packLittleEndian(values))
    }

    /// A `<i4` array. - Throws: if `values.count` does not match the shape.
    public init(int32 values: [Int32], shape: [Int]) throws {
        try NpyArray.checkCount(values.count, shape)
        try self.init(dtype: .int32, shape: shape, data: NpyArray.packLittleEndian(values))
    }

    /// A `|u1` array. - Throws: if `values.count` does not match the shape.
    public init(uint8 values: [UInt8], shape: [Int]) throws {
        try NpyArray.checkCount(values.count, shape)
        try self.init(dtype: .uint8, shape: shape, data: Data(values))
    }

    /// A `|b1` array (one byte per element, 0 or 1). - Throws: if `values.count` does not match the shape.
    public init(bool values: [Bool], shape: [Int]) throws {
        try NpyArray.checkCount(values.count, shape)
        try self.init(dtype: .bool, shape: shape, data: Data(values.map { $0 ? 1 : 0 }))
    }

    /// Number of elements: the product of `shape` (1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }

    /// Checks that `data` still matches `shape` and `dtype` (the properties are mutable).
    /// - Parameter path: used in the error message.
    public func validate(path: String = "<array>") throws {
        let count = try NpyArray.elementCount(shape)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, bytes == data.count else {
            throw IOError.sizeMismatch(path: path, shape: shape, expectedBytes: overflow ? Int.max : bytes, actualBytes: data.count)
        }
    }

    // MARK: - Helpers

    /// Product of the dimensions, rejecting negative entries and overflow.
    static func elementCount(_ shape: [Int], path: String? = nil) throws -> Int {
        var count = 1
        for dim in shape {
            guard dim >= 0 else {
                let message = "negative dimension in shape \(shape)"
                if let path { throw IOError.malformedHeader(path: path, reason: message) }
                throw IOError.invalidArgument(message)
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else {
                let message = "shape \(shape) has too many elements"
                if let path { throw IOError.malformedHeader(path: path, reason: message) }
                throw IOError.invalidArgument(message)
            }
            count = product
        }
        return count
    }

    private static func checkCount(_ valueCount: Int, _ shape: [Int]) throws {
        let expected = try elementCount(shape)
        guard valueCount == expected else {
            throw IOError.invalidArgument("\(valueCount) values do not fill shape \(shape) (\(expected) elements)")
        }
    }

    /// Packs fixed-width integers as little-endian bytes.
    static func packLittleEndian<T: FixedWidthInteger>(_ values: [T]) -> Data {
        var data = Data(count: values.count * MemoryLayout<T>.size)
        data.withUnsafeMutableBytes { raw in
            for (index, value) in values.enumerated() {
                raw.storeBytes(of: value.littleEndian, toByteOffset: index * MemoryLayout<T>.size, as: T.self)
            }
        }
        return data
    }

    /// Reads element `index` as a little-endian `T` (alignment-safe).
    @inline(__always)
    static func load<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ index: Int, as: T.Type) -> T {
        T(littleEndian: raw.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
    }
}
