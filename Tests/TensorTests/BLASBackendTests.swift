import Foundation
import Testing

@testable import Tensor

/// The kernel choice (`BLAS.coreType(for:)`) and the kernel this process runs (`BLAS.backend`).
struct BLASBackendTests {
    static let avx512Xeon = CPUFeatures(x86: true, sse3: true, avx: true, fma: true, avx2: true, avx512f: true, osSavesYMM: true, osSavesZMM: true)
    static let avx2Desktop = CPUFeatures(x86: true, sse3: true, avx: true, fma: true, avx2: true, osSavesYMM: true)

    @Test func anyCPUWithAVX2AndFMAGetsTheHaswellKernel() {
        #expect(BLAS.coreType(for: Self.avx512Xeon) == "Haswell")
        #expect(BLAS.coreType(for: Self.avx2Desktop) == "Haswell")
        // AVX-512 registers not saved by the OS: AVX2 still works, the choice stays.
        var noZMM = Self.avx512Xeon
        noZMM.osSavesZMM = false
        #expect(BLAS.coreType(for: noZMM) == "Haswell")
    }

    @Test func withoutUsableAVX2AndFMAOpenBLASChooses() {
        var noFMA = Self.avx2Desktop
        noFMA.fma = false
        var noAVX2 = Self.avx2Desktop
        noAVX2.avx2 = false  // Sandy Bridge, Ivy Bridge
        var noOSSupport = Self.avx512Xeon
        noOSSupport.osSavesYMM = false  // an OS (or hypervisor) that does not save the YMM registers: AVX faults
        noOSSupport.osSavesZMM = false
        let sse3Only = CPUFeatures(x86: true, sse3: true)
        var notX86 = Self.avx2Desktop
        notX86.x86 = false
        for (name, cpu) in [("no FMA", noFMA), ("no AVX2", noAVX2), ("OS without YMM", noOSSupport), ("SSE3 only", sse3Only), ("not x86", notX86)] {
            #expect(BLAS.coreType(for: cpu) == nil, "\(name)")
            #expect(!cpu.hasUsableAVX2FMA, "\(name)")
        }
        #expect(BLAS.coreType(for: CPUFeatures()) == nil)
    }

    @Test func featureNamesListOnlyUsableInstructionSets() {
        #expect(Self.avx512Xeon.names == ["sse3", "avx", "fma", "avx2", "avx512f"])
        var noOSSupport = Self.avx512Xeon
        noOSSupport.osSavesYMM = false
        #expect(noOSSupport.names == ["sse3"])
    }

    @Test func theLoadedLibraryIsNamedWithItsKernel() {
        let b = BLAS.backend
        #expect(b.loaded, "\(b.error ?? "")")
        #expect(b.kernel?.isEmpty == false)
        #expect(b.config?.hasPrefix("OpenBLAS") == true)
        #expect(b.summary.contains(b.kernel ?? "?"))
        // The variable was set for OpenBLAS's constructor only: the process's environment is the one it was given.
        if b.chosenBy == .project { #expect(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil) }
    }

    /// On a CPU with AVX2 (AVX-512 ones included) the kernel is never the SSE3 fallback (Prescott) nor another
    /// pre-AVX kernel: it is the project's Haswell choice.
    @Test(
        .enabled(if: CPUFeatures.current.hasUsableAVX2FMA, "the CPU lacks AVX2 or FMA: nothing is forced, OpenBLAS's own choice stands"),
        .enabled(
            if: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
            "OPENBLAS_CORETYPE is set in this test's environment, and the project leaves a kernel the user chose alone"))
    func onAnAVX2CPUTheKernelIsNotTheSSE3Fallback() {
        let b = BLAS.backend
        #expect(!b.isPreAVXKernel, "kernel \(b.kernel ?? "none"): \(b.summary)")
        #expect(b.chosenBy == .project, "\(b.summary)")
        #expect(b.kernel == "Haswell", "\(b.summary)")
        #expect(b.requestedCoreType == "Haswell")
    }

    /// Split Float products run on ewm-sim's FMA-chain kernel with the widest vectors the CPU has, and say so.
    @Test(.enabled(if: CPUFeatures.current.hasUsableAVX2FMA, "the CPU lacks AVX2 or FMA: OpenBLAS runs every product"))
    func onAnAVX2CPUSplitFloatProductsRunTheChainKernel() {
        let b = BLAS.backend
        let widest = CPUFeatures.current.avx512f && CPUFeatures.current.osSavesZMM ? "avx512" : "avx2"
        #expect(b.floatGEMMOnThreads == "fma-chain-\(widest)", "\(b.summary)")
        #expect(b.summary.contains("fma-chain-\(widest)"))
    }

    @Test func preAVXKernelsAreRecognisedByName() {
        var b = BLAS.backend
        for name in ["Prescott", "Core2", "Nehalem", "Penryn", "Dunnington", "Atom", "Barcelona"] {
            b.kernel = name
            #expect(b.isPreAVXKernel, "\(name)")
        }
        for name in ["Haswell", "Zen", "SkylakeX", "Cooperlake", "Sandybridge"] {
            b.kernel = name
            #expect(!b.isPreAVXKernel, "\(name)")
        }
    }
}
