// swift-tools-version:6.0
import PackageDescription

// An env added to ewm-sim from outside, through the public API only (docs/adding-an-environment.md).
let package = Package(
    name: "ReachPlane",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ReachPlane", targets: ["ReachPlane"]),
        .executable(name: "reach-plane", targets: ["reach-plane"]),
    ],
    dependencies: [
        .package(name: "ewm-sim", path: "../..")
    ],
    targets: [
        // The env, its symmetry, its registration (adapters and goal protocol). Envs is all it needs.
        .target(name: "ReachPlane", dependencies: [.product(name: "Envs", package: "ewm-sim")]),
        // ewm-sim's whole command line with reach-plane registered beside the built-in envs.
        .executableTarget(
            name: "reach-plane",
            dependencies: ["ReachPlane", .product(name: "EWMSimCLI", package: "ewm-sim")]),
        .testTarget(
            name: "ReachPlaneTests",
            dependencies: [
                "ReachPlane",
                .product(name: "Envs", package: "ewm-sim"),
                .product(name: "Train", package: "ewm-sim"),
                .product(name: "Planner", package: "ewm-sim"),
            ]),
    ]
)
