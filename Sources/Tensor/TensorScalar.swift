import CBLAS
import Dispatch
import Parallel
import Numerics

/// The element types a `Tensor` can hold: `Float` and `Double`.
///
/// Every loop over tensor elements lives behind a requirement of this protocol, implemented once
/// generically (in `Primitives+Forward.swift`, `Primitives+Backward.swift`, `TensorScalar+Kernels.swift`).
/// Because `Float` and `Double` conform in this module, the compiler specialises those
/// implementations for each type, so callers in other modules get vectorised loops even from
/// unspecialised generic code: only the dispatch is dynamic, never the per-element work.
public protocol TensorScalar: BinaryFloatingPoint, Real, Sendable, CustomStringConvertible
where RawSignificand: FixedWidthInteger {
    /// The safetensors dtype tag: "F32" or "F64".
    static var dtypeName: String { get }

    /// C = alpha * op(A) * op(B) + beta * C, row-major, through OpenBLAS (sgemm / dgemm).
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    // Primitive rules (see Primitives+Forward.swift and Primitives+Backward.swift).
    static func _forward(_ op: Op, _ inputs: [Tensor<Self>]) -> Tensor<Self>
    static func _backward(
        _ op: Op, inputs: [Tensor<Self>], output: Tensor<Self>, gradient: Tensor<Self>,
        needsGradient: [Bool]
    ) -> [Tensor<Self>?]

    // Vector kernels (see TensorScalar+Kernels.swift).
    static func _axpby(_ a: Self, _ x: Tensor<Self>, _ b: Self, _ y: inout Tensor<Self>)
    static func _dot(_ x: Tensor<Self>, _ y: Tensor<Self>) -> Self
    static func _maxAbs(_ x: Tensor<Self>) -> Self
    static func _adamW(
        parameter: inout Tensor<Self>, gradient: Tensor<Self>, m: inout Tensor<Self>, v: inout Tensor<Self>,
        learningRate: Self, beta1: Self, beta2: Self, epsilon: Self, weightDecay: Self,
        biasCorrection1: Self, biasCorrection2: Self)
    static func _matmul(_ a: Tensor<Self>, _ b: Tensor<Self>, transposeA: Bool, transposeB: Bool) -> Tensor<Self>
}

extension Float: TensorScalar {
    public static var dtypeName: String { "F32" }

    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        ewm_blas_sgemm(transposeA, transposeB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Double: TensorScalar {
    public static var dtypeName: String { "F64" }

    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        ewm_blas_dgemm(transposeA, transposeB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// Control of the BLAS library's own threads; which library and kernel run is `BLAS.backend` (BLASBackend.swift).
public enum BLAS {
    /// Sets the number of OpenBLAS threads (1 = run GEMMs on the calling thread).
    public static func setThreadCount(_ n: Int) { ewm_blas_set_num_threads(Int32(max(1, n))) }
    public static var threadCount: Int { Int(ewm_blas_get_num_threads()) }
}

/// Threads for the library's own work: large GEMMs are split into independent blocks of rows (or
/// columns) that run concurrently, each through single-threaded BLAS. On two cores this beats
/// OpenBLAS's own threading for the small GEMMs of VN models (its per-call thread hand-off costs more
/// than it saves). `setThreadCount(n)` also pins OpenBLAS to one thread.
public enum Compute {
    // nonisolated(unsafe), stated: these are configuration, written by `setThreadCount` (and tests) before compute
    // starts, never while a GEMM runs; they are read on every GEMM, where a lock would cost more than the small GEMMs
    // of VN models themselves.
    nonisolated(unsafe) static var threads = 1
    nonisolated(unsafe) static var pool: WorkerPool?
    /// GEMMs with fewer multiply-adds than this run on the calling thread.
    nonisolated(unsafe) public static var splitThreshold = 1 << 20
    /// Products on `ChainGEMM` whose C has at least this many elements are split too, whatever their k.
    nonisolated(unsafe) public static var splitOutputThreshold = 1 << 16

    public static var threadCount: Int { threads }

    public static func setThreadCount(_ n: Int) {
        threads = max(1, n)
        if pool?.threads != threads { pool = threads > 1 ? WorkerPool(threads: threads) : nil }
        BLAS.setThreadCount(1)
    }

    /// How many row blocks an elementwise kernel over `rows` rows should split into: one per thread when
    /// there is enough work to beat the hand-off, else 1.
    static func rowBlocks(rows: Int, elementsPerRow: Int) -> Int {
        threads > 1 && rows >= threads && rows * elementsPerRow >= 1 << 15 ? threads : 1
    }

    /// Runs body(0..<n) on the pool's threads (the caller takes part). The pool's workers spin briefly
    /// before they sleep, so the many small GEMMs of a training step do not each pay a thread wake-up.
    static func parallel(_ n: Int, _ body: (Int) -> Void) {
        guard n > 1, let pool else {
            for i in 0..<n { body(i) }
            return
        }
        pool.forEach(n, body)
    }
}

#if os(Linux)
    @_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Process-wide allocator tuning for training loops.
public enum MemoryTuning {
    /// Keeps freed tensor buffers in the heap instead of returning them to the kernel, so a training
    /// step that allocates the same sizes every time does not page-fault on fresh memory
    /// (glibc: raise the mmap and trim thresholds). A no-op elsewhere.
    public static func retainFreedMemory() {
        #if os(Linux)
            // <malloc.h>: M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3.
            _ = glibcMallopt(-3, 32 << 20)
            _ = glibcMallopt(-1, 1 << 30)
            _ = glibcMallopt(-2, 64 << 20)
        #endif
    }
}
