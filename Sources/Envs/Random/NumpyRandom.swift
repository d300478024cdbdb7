/// numpy's `Generator(PCG64(SeedSequence(seed)))`, bit for bit, for the draws the envs need.
///
/// Gymnasium seeds every env with `np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))`.
/// Reproducing the reference's initial states for a given seed therefore needs numpy's exact
/// algorithms: SeedSequence's entropy mixing (uint32 hash mixing, pool of 4 words), PCG64
/// (128-bit LCG with the XSL-RR output function, numpy's multiplier), the 32-bit buffered draw, and
/// Lemire's bounded-integer method as used by `Generator.integers`. `uniform` is
/// `low + (high - low) * next_double()`, where `next_double` keeps the top 53 bits.
public struct NumpyRandom: Sendable {
    private var state: UInt128
    private let increment: UInt128
    private var bufferedHalf: UInt32? = nil

    private static let multiplier: UInt128 = (UInt128(2549297995355413924) << 64) | UInt128(4865540595714422341)

    /// `np.random.default_rng(seed)` / gymnasium's `np_random(seed)`.
    public init(seed: UInt64) {
        let words = SeedSequence(entropy: seed).generateState(words64: 4)
        let initState = (UInt128(words[0]) << 64) | UInt128(words[1])
        let initSeq = (UInt128(words[2]) << 64) | UInt128(words[3])
        increment = (initSeq << 1) | 1
        state = 0
        step()
        state &+= initState
        step()
    }

    private mutating func step() {
        state = state &* Self.multiplier &+ increment
    }

    /// PCG64's next 64-bit output (XSL-RR of the advanced state).
    public mutating func nextUInt64() -> UInt64 {
        step()
        let high = UInt64(truncatingIfNeeded: state >> 64)
        let low = UInt64(truncatingIfNeeded: state)
        let rotation = UInt64(truncatingIfNeeded: state >> 122)
        let x = high ^ low
        return (x >> rotation) | (x << ((64 &- rotation) & 63))
    }

    /// numpy's `next_uint32`: the low half of a 64-bit draw, the high half kept for the next call.
    public mutating func nextUInt32() -> UInt32 {
        if let half = bufferedHalf {
            bufferedHalf = nil
            return half
        }
        let next = nextUInt64()
        bufferedHalf = UInt32(truncatingIfNeeded: next >> 32)
        return UInt32(truncatingIfNeeded: next)
    }

    /// numpy's `next_double`: 53 random bits in [0, 1).
    public mutating func nextDouble() -> Double {
        Double(nextUInt64() >> 11) * (1.0 / 9007199254740992.0)
    }

    /// `Generator.integers(low, high)` (high exclusive, int64 result) for ranges below 2^32.
    public mutating func integers(_ low: Int64, _ high: Int64) -> Int64 {
        precondition(high > low && high - low <= Int64(UInt32.max), "integers(low, high) needs 0 < high - low <= 2^32 - 1")
        let range = UInt32(high - low - 1)
        if range == 0 { return low }
        // Lemire's method on 32-bit draws, exactly as numpy's buffered_bounded_lemire_uint32.
        let exclusive = UInt64(range) + 1
        var m = UInt64(nextUInt32()) * exclusive
        var leftover = UInt32(truncatingIfNeeded: m)
        if UInt64(leftover) < exclusive {
            let threshold = UInt32((UInt64(UInt32.max) - UInt64(range)) % exclusive)
            while leftover < threshold {
                m = UInt64(nextUInt32()) * exclusive
                leftover = UInt32(truncatingIfNeeded: m)
            }
        }
        return low + Int64(m >> 32)
    }

    /// `Generator.uniform(low, high)`.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextDouble()
    }
}

/// numpy's `SeedSequence` for a single non-negative integer entropy and no spawn key.
struct SeedSequence {
    private static let initA: UInt32 = 0x43b0_d7e5, multA: UInt32 = 0x931e_8875
    private static let initB: UInt32 = 0x8b51_f9dd, multB: UInt32 = 0x58f3_8ded
    private static let mixMultL: UInt32 = 0xca01_f9dd, mixMultR: UInt32 = 0x4973_f715
    private static let poolSize = 4

    private(set) var pool = [UInt32](repeating: 0, count: poolSize)

    init(entropy: UInt64) {
        // numpy splits an integer into little-endian uint32 words; 0 is one zero word.
        var words: [UInt32] = [UInt32(truncatingIfNeeded: entropy)]
        if entropy >> 32 != 0 { words.append(UInt32(truncatingIfNeeded: entropy >> 32)) }
        var hashConst = Self.initA
        func hashmix(_ value: UInt32) -> UInt32 {
            var v = value ^ hashConst
            hashConst = hashConst &* Self.multA
            v = v &* hashConst
            return v ^ (v >> 16)
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            let r = (x &* Self.mixMultL) &- (y &* Self.mixMultR)
            return r ^ (r >> 16)
        }
        for i in 0..<Self.poolSize { pool[i] = hashmix(i < words.count ? words[i] : 0) }
        for src in 0..<Self.poolSize {
            for dst in 0..<Self.poolSize where src != dst {
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
            }
        }
        for src in Self.poolSize..<max(Self.poolSize, words.count) {
            for dst in 0..<Self.poolSize { pool[dst] = mix(pool[dst], hashmix(words[src])) }
        }
    }

    /// `generate_state(n, np.uint64)`.
    func generateState(words64: Int) -> [UInt64] {
        var hashConst = Self.initB
        var words32 = [UInt32]()
        for i in 0..<(2 * words64) {
            var v = pool[i % Self.poolSize] ^ hashConst
            hashConst = hashConst &* Self.multB
            v = v &* hashConst
            words32.append(v ^ (v >> 16))
        }
        return (0..<words64).map { UInt64(words32[2 * $0]) | (UInt64(words32[2 * $0 + 1]) << 32) }
    }
}
