import Foundation

/// The parts of `ewm-sim reproduce`, in the order of docs/results.md (a part's needs come before it). A new experiment
/// becomes one more entry here; a shard of the run is a slice of this list.
public enum ReproductionCatalog {
    public static let parts: [ReproductionPart] = [
        .fidelity, .envSpeed, .trainStep, .orbitPushT, .orbit3D, .vnExactness, .plannerExactness, .oneStep, .rollout, .stressTests,
        .teacher3DModels, .ladder, .closedLoopPushT, .closedLoop3D, .blockIsotropy, .gauge, .biBlock, .degreeLadder, .invariantCosts,
    ]
}
