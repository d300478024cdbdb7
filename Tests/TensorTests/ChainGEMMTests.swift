import Testing

@testable import Tensor

/// The FMA-chain GEMM (`ChainGEMM`): every element one FMA chain over k in order, so the AVX2 and AVX-512 kernels,
/// any block of C computed alone, and a product split across any number of threads all give the defining chain's
/// bits.
struct ChainGEMMTests {
    /// Shapes (m, n, k) around the kernels' tiles (6 rows, panels of 16 or 32 columns), k blocks (128 and 512), the
    /// single-column case and empty k.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (7, 5, 3), (6, 16, 8), (13, 37, 600), (100, 9, 1100), (31, 47, 700), (19, 33, 515), (64, 1, 300),
        (1, 40, 70), (97, 64, 64), (12, 32, 2), (5, 7, 0), (64, 64, 1030),
    ]

    /// Random values with exact and negative zeros mixed in.
    func matrix(_ shape: [Int], seed: UInt64) -> Tensor<Float> {
        var rng = Xoshiro256(seed: seed)
        var t = Tensor<Float>.randomNormal(shape, using: &rng)
        t.withUnsafeMutableBufferPointer { b in for i in stride(from: 0, to: b.count, by: 13) { b[i] = i % 2 == 0 ? 0 : -0.0 } }
        return t
    }

    func bits(_ t: Tensor<Float>) -> [UInt32] { t.scalars.map(\.bitPattern) }

    /// For each shape and each pair of transposes: A, B and the defining chain's C.
    func cases() -> [(ta: Bool, tb: Bool, a: Tensor<Float>, b: Tensor<Float>, chain: Tensor<Float>)] {
        var out: [(Bool, Bool, Tensor<Float>, Tensor<Float>, Tensor<Float>)] = []
        for (s, (m, n, k)) in Self.shapes.enumerated() {
            for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                let a = matrix(ta ? [k, m] : [m, k], seed: UInt64(4 * s)), b = matrix(tb ? [n, k] : [k, n], seed: UInt64(4 * s + 1))
                out.append((ta, tb, a, b, ChainGEMM.reference(a, b, transposeA: ta, transposeB: tb)))
            }
        }
        return out
    }

    func kernelIsTheChain(_ isa: ChainGEMM.InstructionSet) {
        for c in cases() {
            let fast = ChainGEMM.product(c.a, c.b, transposeA: c.ta, transposeB: c.tb, using: isa)
            #expect(bits(fast) == bits(c.chain), "\(isa) \(c.chain.shape) k \(c.ta ? c.a.shape[0] : c.a.shape[1]) tA \(c.ta) tB \(c.tb)")
        }
    }

    @Test(.enabled(if: ChainGEMM.InstructionSet.avx2.usable, "needs AVX2 and FMA"))
    func avx2KernelIsTheChainBitForBit() { kernelIsTheChain(.avx2) }

    @Test(.enabled(if: ChainGEMM.InstructionSet.avx512.usable, "needs AVX-512F"))
    func avx512KernelIsTheChainBitForBit() { kernelIsTheChain(.avx512) }

    /// Blocks of C computed alone, as the threads of a split product compute them, on cuts that are not whole tiles.
    @Test(.enabled(if: ChainGEMM.InstructionSet.avx2.usable, "needs AVX2 and FMA"))
    func anyBlockOfCAloneHasTheSameBits() {
        let a = matrix([101, 70], seed: 1), b = matrix([53, 70], seed: 2)
        let chain = bits(ChainGEMM.reference(a, b, transposeB: true))
        for isa in ChainGEMM.InstructionSet.allCases where isa.usable {
            for cuts in [(rows: [0, 7, 50, 101], columns: [0, 53]), (rows: [0, 101], columns: [0, 5, 21, 53])] {
                var pieces = [UInt32](repeating: 0, count: chain.count)
                for r in 0..<(cuts.rows.count - 1) {
                    for c in 0..<(cuts.columns.count - 1) {
                        let rs = cuts.rows[r]..<cuts.rows[r + 1], cs = cuts.columns[c]..<cuts.columns[c + 1]
                        let block = bits(ChainGEMM.product(a, b, transposeB: true, using: isa, rows: rs, columns: cs))
                        for i in rs { for j in cs { pieces[i * 53 + j] = block[i * 53 + j] } }
                    }
                }
                #expect(pieces == chain, "\(isa) \(cuts)")
            }
        }
    }

    /// `matmul` on 2 and 3 threads runs the chain, split or not: the same bits at every thread count above one.
    @Test(.enabled(if: ChainGEMM.InstructionSet.avx2.usable, "needs AVX2 and FMA"))
    func floatMatmulOnSeveralThreadsIsTheChain() {
        let a = matrix([700, 64], seed: 3), b = matrix([48, 64], seed: 4), x = matrix([3000, 1], seed: 5), w = matrix([64, 1], seed: 6)
        let chain = bits(ChainGEMM.reference(a, b, transposeB: true)), outer = bits(ChainGEMM.reference(x, w, transposeB: true))
        let saved = Compute.threadCount
        defer { Compute.setThreadCount(saved) }
        for threads in [2, 3] {
            Compute.setThreadCount(threads)
            let products = (bits(a.matmul(b, transposeOther: true)), bits(x.matmul(w, transposeOther: true)))
            Compute.setThreadCount(saved)
            #expect(products.0 == chain, "\(threads) threads, split by the multiply-adds")
            #expect(products.1 == outer, "\(threads) threads, split by the size of C (k = 1)")
        }
    }
}
