import CBLAS
import CSystem

/// The x86-64 features that decide which BLAS kernel can run (CPUID, and XGETBV for the operating system's part).
public struct CPUFeatures: Sendable, Equatable {
    public var x86 = false
    public var sse3 = false
    public var avx = false
    public var fma = false
    public var avx2 = false
    public var avx512f = false
    /// The operating system saves the YMM registers (without it AVX instructions fault).
    public var osSavesYMM = false
    /// The operating system saves the AVX-512 registers.
    public var osSavesZMM = false

    public init(
        x86: Bool = false, sse3: Bool = false, avx: Bool = false, fma: Bool = false, avx2: Bool = false, avx512f: Bool = false,
        osSavesYMM: Bool = false, osSavesZMM: Bool = false
    ) {
        self.x86 = x86; self.sse3 = sse3; self.avx = avx; self.fma = fma; self.avx2 = avx2; self.avx512f = avx512f
        self.osSavesYMM = osSavesYMM; self.osSavesZMM = osSavesZMM
    }

    /// The processor this runs on.
    public static let current: CPUFeatures = {
        let f = ewm_cpu_features_read()
        return CPUFeatures(
            x86: f.x86, sse3: f.sse3, avx: f.avx, fma: f.fma, avx2: f.avx2, avx512f: f.avx512f, osSavesYMM: f.os_ymm, osSavesZMM: f.os_zmm)
    }()

    /// AVX2 and FMA, usable (the OS saves the YMM registers): what the project's kernel choice needs.
    public var hasUsableAVX2FMA: Bool { x86 && avx && avx2 && fma && osSavesYMM }

    /// The usable features by name, as the reports print them.
    public var names: [String] {
        var n: [String] = []
        if sse3 { n.append("sse3") }
        if osSavesYMM {
            if avx { n.append("avx") }
            if fma { n.append("fma") }
            if avx2 { n.append("avx2") }
            if avx512f && osSavesZMM { n.append("avx512f") }
        }
        return n
    }

    var c: ewm_cpu_features {
        ewm_cpu_features(x86: x86, sse3: sse3, avx: avx, fma: fma, avx2: avx2, avx512f: avx512f, os_ymm: osSavesYMM, os_zmm: osSavesZMM)
    }
}

/// The BLAS library in use, the kernel it runs and who chose that kernel: ewm-sim, from the CPU's features (Haswell
/// on any CPU with AVX2 and FMA), OPENBLAS_CORETYPE set in the environment, or OpenBLAS's own detection.
///
/// OpenBLAS reads OPENBLAS_CORETYPE once, when it loads; the CBLAS target loads it from a constructor, before
/// `main`, after setting the variable to its choice (and removes it again, so child processes see the user's
/// environment). See `Sources/CBLAS/blas.c`.
public struct BLASBackend: Codable, Sendable, Equatable {
    /// Who chose the kernel.
    public enum Chooser: String, Codable, Sendable {
        /// ewm-sim, from the CPU's features.
        case project = "ewm-sim"
        /// OPENBLAS_CORETYPE, set before the program started.
        case environment
        /// OpenBLAS's own detection.
        case openBLAS = "openblas"
    }

    public var backend = "OpenBLAS"
    public var loaded: Bool
    /// The library file (symlinks resolved).
    public var path: String?
    /// `openblas_get_config()`: version, build options, kernel.
    public var config: String?
    /// `openblas_get_corename()`.
    public var kernel: String?
    public var chosenBy: Chooser
    /// OPENBLAS_CORETYPE when OpenBLAS loaded (the project's choice or the environment's).
    public var requestedCoreType: String?
    /// Why OpenBLAS chose, when it did.
    public var note: String?
    public var error: String?
    /// The CPU's usable features (`CPUFeatures.names`).
    public var cpuFeatures: [String]
    /// What runs Float products when ewm-sim splits them across 2 or more threads: ewm-sim's own kernel
    /// ("fma-chain-avx512" or "fma-chain-avx2", `ChainGEMM`), or nil where OpenBLAS does (no AVX2 and FMA).
    public var floatGEMMOnThreads: String?

    /// OpenBLAS's kernels that use no AVX: what it falls back to on a CPU it does not recognise (Prescott, SSE3) and
    /// the older cores it may take for one. On an AVX2 machine any of these is 2-4x slower than Haswell's.
    public static let preAVXKernels: Set<String> = [
        "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington", "nehalem",
        "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat",
    ]

    /// The kernel is one of `preAVXKernels`.
    public var isPreAVXKernel: Bool { kernel.map { Self.preAVXKernels.contains($0.lowercased()) } ?? false }

    /// One line: library and version, kernel, who chose it; what runs Float products on more than one thread.
    public var summary: String {
        openBLASSummary + "; Float GEMM on 2+ threads: " + (floatGEMMOnThreads.map { "ewm-sim's \($0)" } ?? "OpenBLAS")
    }

    private var openBLASSummary: String {
        guard loaded else { return "\(backend) not loaded: \(error ?? "unknown error")" }
        let version = config.map { $0.split(separator: " ").prefix(2).joined(separator: " ") } ?? backend
        let k = kernel ?? "?"
        switch chosenBy {
        case .project:
            return "\(version), kernel \(k), chosen by ewm-sim (CPU: \(cpuFeatures.joined(separator: " ")))"
        case .environment:
            return "\(version), kernel \(k), from OPENBLAS_CORETYPE=\(requestedCoreType ?? "") in the environment"
        case .openBLAS:
            return "\(version), kernel \(k), OpenBLAS's own choice" + (note.map { " (\($0))" } ?? "")
        }
    }
}

extension BLAS {
    /// The library and kernel in use (loaded before `main`; see `BLASBackend`).
    public static var backend: BLASBackend {
        let i = ewm_blas_info_read()
        func string(_ p: UnsafePointer<CChar>?) -> String? { p.map { String(cString: $0) } }
        let chooser: BLASBackend.Chooser =
            switch i.chooser {
            case EWM_BLAS_CHOSEN_BY_PROJECT: .project
            case EWM_BLAS_CHOSEN_BY_ENVIRONMENT: .environment
            default: .openBLAS
            }
        return BLASBackend(
            loaded: i.loaded, path: string(i.path), config: string(i.config), kernel: string(i.corename), chosenBy: chooser,
            requestedCoreType: string(i.requested), note: string(i.note), error: string(i.error), cpuFeatures: CPUFeatures.current.names,
            floatGEMMOnThreads: ChainGEMM.enabled ? ChainGEMM.kernelName : nil)
    }

    /// The OpenBLAS core type the project asks for on a CPU with `features` (nil: OpenBLAS's own choice).
    public static func coreType(for features: CPUFeatures) -> String? {
        ewm_blas_coretype_for(features.c).map { String(cString: $0) }
    }
}
