// swift-tools-version:6.0
import PackageDescription

// Layering (dependencies point down only):
//   ewm-sim (CLI) -> Train, Planner -> Agents -> Tensor -> CBLAS
//                 Train, Planner -> Envs -> EWMIO, CBox2D;  Tensor -> EWMIO (atomic, safe writes of checkpoints)
// No unsafe flags anywhere: the library products can be depended on from another package at a version.
let optimize: [SwiftSetting] = []

let package = Package(
    name: "ewm-sim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ewm-sim", targets: ["ewm-sim"]),
        .library(name: "Envs", targets: ["Envs"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Agents", targets: ["Agents"]),
        .library(name: "Train", targets: ["Train"]),
        .library(name: "Planner", targets: ["Planner"]),
        .library(name: "Experiments", targets: ["Experiments"]),
        .library(name: "EWMSimCLI", targets: ["EWMSimCLI"]),
        // The C ABI over the env layer (Sources/EWMSimC/ewm_sim.h), loaded by the Python package in python/.
        .library(name: "EWMSimC", type: .dynamic, targets: ["EWMSimC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // C shim over Box2D 2.4 (Debian's libbox2d-dev); C ABI so Swift sees plain functions.
        .target(
            name: "CBox2D",
            linkerSettings: [.linkedLibrary("box2d"), .linkedLibrary("stdc++")]
        ),
        // Thread affinity (needs _GNU_SOURCE, which Swift's Glibc module does not expose) and the CPU's features (CPUID).
        .target(name: "CSystem"),
        // OpenBLAS (Debian's libopenblas-dev for cblas.h, libopenblas0 at run time), loaded by the target itself so that it
        // chooses OpenBLAS's kernel from the CPU's features before OpenBLAS reads OPENBLAS_CORETYPE (CBLAS.h).
        .target(name: "CBLAS", dependencies: ["CSystem"], linkerSettings: [.linkedLibrary("dl")]),
        // Float kernels with AVX2 for the tensor library's hottest elementwise primitives, bit for bit the Swift loops'.
        .target(name: "CKernels", dependencies: ["CSystem"]),
        // A low-latency worker pool (vector envs, split GEMMs).
        .target(name: "Parallel", dependencies: ["CSystem"], swiftSettings: optimize),
        // Seeded random generators shared by all layers.
        .target(name: "Seeded", swiftSettings: optimize),
        // Files people exchange: .npy/.npz, PNG/APNG, HTML animations, raster canvas, atomic writes, progress.
        .target(name: "EWMIO", dependencies: ["ZIPFoundation"], swiftSettings: optimize),
        .target(name: "Envs", dependencies: ["CBox2D", "EWMIO", "Parallel", "Seeded"], swiftSettings: optimize),
        .target(
            name: "Tensor",
            dependencies: ["CBLAS", "CKernels", "CSystem", "EWMIO", "Parallel", "Seeded", .product(name: "Numerics", package: "swift-numerics")],
            swiftSettings: optimize),
        .target(name: "Agents", dependencies: ["Tensor"], swiftSettings: optimize),
        .target(name: "Planner", dependencies: ["Agents", "Envs", "EWMIO", "Parallel", "Seeded"], swiftSettings: optimize),
        .target(name: "Train", dependencies: ["Agents", "Envs", "EWMIO"], swiftSettings: optimize),
        // Experiments that need both a trained model (Train) and a planner (Planner): closed-loop sweeps, their plots.
        // and `reproduce`, the list of parts that regenerates docs/results.md (Reproduction/).
        .target(name: "Experiments", dependencies: ["Train", "Planner", "Envs", "EWMIO", "Tensor", "Parallel"], swiftSettings: optimize),
        // The command set as a library, so an outside package can run it with its own envs registered.
        .target(
            name: "EWMSimCLI",
            dependencies: [
                "Envs", "EWMIO", "Parallel", "Train", "Planner", "Experiments", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimize
        ),
        // Exported C functions over Envs: N envs of any registered id reset and stepped in one call into caller buffers.
        .target(name: "EWMSimC", dependencies: ["Envs", "EWMIO", "Parallel"], exclude: ["ewm_sim.h"], swiftSettings: optimize),
        .executableTarget(name: "ewm-sim", dependencies: ["EWMSimCLI"], swiftSettings: optimize),
        .testTarget(name: "EWMIOTests", dependencies: ["EWMIO"]),
        .testTarget(name: "EWMSimCTests", dependencies: ["EWMSimC", "Envs"]),
        .testTarget(name: "EnvsTests", dependencies: ["Envs", "EWMIO", "Seeded"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "Tensor"]),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Planner", "Agents", "Tensor"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Train", "Planner", "EWMIO"]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Agents", "Envs"]),
        // Seeded fuzzing of every env's step, the file readers and the step server (EWM_FUZZ_CASES scales it).
        .testTarget(name: "FuzzTests", dependencies: ["Envs", "EWMIO", "Tensor", "Seeded"]),
        // End-to-end: runs the built ewm-sim binary (declared as a dependency so it is built first).
        .testTarget(name: "CLITests", dependencies: ["EWMIO", "ewm-sim"]),
    ],
    swiftLanguageModes: [.v6]
)
