import CKernels

/// The Float kernels in C with AVX2 (`Sources/CKernels`) that stand in for portable Swift loops on CPUs that have
/// it: the same arithmetic per element in the same order, 8 lanes instead of 4, so the same results bit for bit.
/// Each entry point returns false where it does not apply (Double, another d, no AVX2, switched off), and the
/// caller then runs its own loop.
public enum AVX2Kernels {
    /// Whether the kernels run where they apply: on by default where the CPU has AVX2 (tests switch it off to
    /// compare with the portable loops).
    nonisolated(unsafe) public static var enabled = ewm_kernels_avx2_usable()

    /// The CPU can run them.
    public static var usable: Bool { ewm_kernels_avx2_usable() }

    /// VN leaky ReLU forward on the rows `rows` of [R, d, C] features (see `vnLeakyForward`).
    @inline(__always)
    static func vnLeakyForward<S: TensorScalar>(
        _ q: UnsafePointer<S>, _ k: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, rows: Range<Int>, d: Int, c: Int, beta: S, eps: S
    ) -> Bool {
        guard S.self == Float.self, enabled, d == 2 || d == 3 else { return false }
        let off = rows.lowerBound * d * c
        ewm_vn_leaky_forward_f32_avx2(
            f32(q + off), f32(k + off), f32(y + off), rows.count, Int32(d), Int32(c), unsafeBitCast(beta, to: Float.self),
            unsafeBitCast(eps, to: Float.self))
        return true
    }

    /// Its backward on the same rows (see `vnLeakyBackward`).
    @inline(__always)
    static func vnLeakyBackward<S: TensorScalar>(
        _ q: UnsafePointer<S>, _ k: UnsafePointer<S>, _ g: UnsafePointer<S>, _ dq: UnsafeMutablePointer<S>,
        _ dk: UnsafeMutablePointer<S>, rows: Range<Int>, d: Int, c: Int, beta: S, eps: S
    ) -> Bool {
        guard S.self == Float.self, enabled, d == 2 || d == 3 else { return false }
        let off = rows.lowerBound * d * c
        ewm_vn_leaky_backward_f32_avx2(
            f32(q + off), f32(k + off), f32(g + off), f32(dq + off), f32(dk + off), rows.count, Int32(d), Int32(c),
            unsafeBitCast(beta, to: Float.self), unsafeBitCast(eps, to: Float.self))
        return true
    }

    /// y = a x + b y over `count` elements (see `_axpby`).
    @inline(__always)
    static func axpby<S: TensorScalar>(_ a: S, _ x: UnsafePointer<S>, _ b: S, _ y: UnsafeMutablePointer<S>, count: Int) -> Bool {
        guard S.self == Float.self, enabled else { return false }
        ewm_axpby_f32_avx2(unsafeBitCast(a, to: Float.self), f32(x), unsafeBitCast(b, to: Float.self), f32(y), count)
        return true
    }

    /// One AdamW step over `count` parameters (see `_adamW`).
    @inline(__always)
    static func adamW<S: TensorScalar>(
        parameter p: UnsafeMutablePointer<S>, gradient g: UnsafePointer<S>, m: UnsafeMutablePointer<S>, v: UnsafeMutablePointer<S>,
        count: Int, beta1: S, beta2: S, epsilon: S, decay: S, stepSize: S, invSqrtBC2: S
    ) -> Bool {
        guard S.self == Float.self, enabled else { return false }
        func f(_ x: S) -> Float { unsafeBitCast(x, to: Float.self) }
        ewm_adamw_f32_avx2(
            f32(p), f32(g), f32(m), f32(v), count, f(beta1), f(beta2), f(epsilon), f(decay), f(stepSize), f(invSqrtBC2))
        return true
    }

    @inline(__always) private static func f32<S>(_ p: UnsafePointer<S>) -> UnsafePointer<Float> {
        UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    @inline(__always) private static func f32<S>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }
}
