import CKernels

/// The project's own Float matrix product (`Sources/CKernels/sgemm.c`): every element of C is one FMA chain over k in
/// increasing order, starting from zero. Its result is therefore the same however the product is blocked or split
/// between threads, and whatever the vector width that computes it: AVX-512 (16 lanes) where the CPU has it, else AVX2
/// with FMA (8 lanes), bit for bit the same numbers.
///
/// `matmul` uses it for Float when `Compute` runs on more than one thread: the split product then rounds the same at
/// 2, 3 or more threads, on any CPU with AVX2. On one thread Float products stay with OpenBLAS's kernel, the rounding
/// the checkpoints in `assets/` were made with. Without AVX2 and FMA, or with `enabled` off, OpenBLAS runs everywhere.
public enum ChainGEMM {
    /// The vector instructions that run the kernel.
    public enum InstructionSet: String, Codable, Sendable, CaseIterable {
        case avx2, avx512

        /// Whether this CPU (and OS) can run it.
        public var usable: Bool {
            switch self {
            case .avx2: return ewm_sgemm_f32_avx2_usable()
            case .avx512: return ewm_sgemm_f32_avx512_usable()
            }
        }
    }

    /// Whether the kernel runs where it applies (tests switch it off to compare).
    nonisolated(unsafe) public static var enabled = InstructionSet.avx2.usable

    /// The instructions it runs with: the widest this CPU has (tests set it to compare).
    nonisolated(unsafe) public static var instructionSet: InstructionSet = InstructionSet.avx512.usable ? .avx512 : .avx2

    /// Rows per tile, and columns per panel of the kernel in use: splitting C between threads on whole tiles and panels
    /// wastes no lanes.
    static let tileRows = 6
    static var panelWidth: Int { instructionSet == .avx512 ? 32 : 16 }

    /// The kernel's name in reports: "fma-chain-avx512" or "fma-chain-avx2".
    public static var kernelName: String { "fma-chain-\(instructionSet.rawValue)" }

    /// Whether Float products go through the kernel now (it is enabled and `Compute` runs on more than one thread).
    public static var runsFloatProducts: Bool { enabled && Compute.threads > 1 }

    /// What runs Float products now, for reports: "openblas", "fma-chain-avx2" or "fma-chain-avx512".
    public static var floatProducts: String { runsFloatProducts ? kernelName : "openblas" }

    /// Whether a product of `S` goes through the kernel now.
    @inline(__always)
    static func applies<S: TensorScalar>(to: S.Type) -> Bool { S.self == Float.self && runsFloatProducts }

    /// C (m x n, ldc) = op(A) op(B) through the kernel; false if it could not run (its buffer), C then untouched.
    /// `S` must be Float.
    @inline(__always)
    static func multiply<S: TensorScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>,
        ldb: Int, c: UnsafeMutablePointer<S>, ldc: Int, using isa: InstructionSet = instructionSet
    ) -> Bool {
        let c = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self)
        switch isa {
        case .avx2: return ewm_sgemm_f32_avx2(transposeA, transposeB, m, n, k, f32(a), lda, f32(b), ldb, c, ldc)
        case .avx512: return ewm_sgemm_f32_avx512(transposeA, transposeB, m, n, k, f32(a), lda, f32(b), ldb, c, ldc)
        }
    }

    /// C = op(A) op(B) through the kernel with `isa` (which must be usable here), for Float matrices; with `rows` and
    /// `columns`, only that block of C is computed (the rest left zero), as a thread of a split product computes it.
    public static func product(
        _ a: Tensor<Float>, _ b: Tensor<Float>, transposeA: Bool = false, transposeB: Bool = false, using isa: InstructionSet,
        rows: Range<Int>? = nil, columns: Range<Int>? = nil
    ) -> Tensor<Float> {
        precondition(isa.usable, "ChainGEMM: \(isa.rawValue) cannot run on this CPU")
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == (transposeB ? b.shape[1] : b.shape[0]), "ChainGEMM.product: inner dimensions differ")
        let rs = rows ?? 0..<m, cs = columns ?? 0..<n
        var c = Tensor<Float>(shape: [m, n], repeating: 0)
        guard !rs.isEmpty, !cs.isEmpty else { return c }
        let lda = a.shape[1], ldb = b.shape[1]
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    let ok = multiply(
                        transposeA: transposeA, transposeB: transposeB, m: rs.count, n: cs.count, k: k,
                        a: pa.baseAddress! + (transposeA ? rs.lowerBound : rs.lowerBound * lda), lda: lda,
                        b: pb.baseAddress! + (transposeB ? cs.lowerBound * ldb : cs.lowerBound), ldb: ldb,
                        c: pc.baseAddress! + rs.lowerBound * n + cs.lowerBound, ldc: n, using: isa)
                    precondition(ok, "ChainGEMM: no memory for the packed panels")
                }
            }
        }
        return c
    }

    /// The defining chain, one element at a time (`ewm_sgemm_f32_reference`), for Float matrices: what the kernel
    /// must give bit for bit.
    public static func reference(
        _ a: Tensor<Float>, _ b: Tensor<Float>, transposeA: Bool = false, transposeB: Bool = false
    ) -> Tensor<Float> {
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == (transposeB ? b.shape[1] : b.shape[0]), "ChainGEMM.reference: inner dimensions differ")
        if m == 0 || n == 0 || k == 0 { return Tensor(shape: [m, n], repeating: 0) }
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                Tensor.uninitialized([m, n]) { pc in
                    ewm_sgemm_f32_reference(
                        transposeA, transposeB, m, n, k, pa.baseAddress!, a.shape[1], pb.baseAddress!, b.shape[1],
                        pc.baseAddress!, n)
                }
            }
        }
    }

    @inline(__always) private static func f32<S>(_ p: UnsafePointer<S>) -> UnsafePointer<Float> {
        UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
}
