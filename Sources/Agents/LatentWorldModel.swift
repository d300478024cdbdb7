/// What a trained model records of its training: its kind, its size and the part of the symmetry group its data
/// covered (the training slice), which evaluations use to tell in-slice from out-of-slice elements.
public struct ModelProvenance: Sendable {
    public var kind: String
    public var parameters: Int
    /// The slice's name (planar: "[-15, 15] deg"; SE(3): a rung of the ladder).
    public var slice: String
    /// Whether the group element with these coordinates (`GroupElement.coordinates`) lies in the slice.
    public var sliceContains: @Sendable (_ coordinates: [Double]) -> Bool

    public init(kind: String, parameters: Int, slice: String, sliceContains: @escaping @Sendable ([Double]) -> Bool) {
        self.kind = kind; self.parameters = parameters; self.slice = slice; self.sliceContains = sliceContains
    }
}

/// The view of a trained world model that planners and evaluations use, independent of its architecture.
///
/// Boundaries are flat Double arrays in the env's own units, batch-major:
/// - `encode`: `observations` is `batch` rows of `observationSize` numbers (e.g. PushT keypoints, 18 per row);
///   returns `batch` rows of `latentRep.size` numbers.
/// - `predict`: `latents` (`batch` x `latentRep.size`) and `actions` (`batch` x `actionSize`, raw env actions,
///   e.g. PushT target points in px) -> next latents.
/// Latent layout: the `latentRep.scalars` invariant numbers first, then `latentRep.vectors` vectors of
/// `latentRep.dim` numbers each (channel c at `scalars + c * dim ..< scalars + (c + 1) * dim`).
/// Any fixed centring (PushT: points and actions relative to the workspace centre) happens inside.
///
/// An exactly equivariant model satisfies encode(g.o) = rho(g) encode(o) and
/// predict(rho(g) z, g.a) = rho(g) predict(z, a), with rho(g) rotating every vector channel.
public protocol LatentWorldModel: AnyObject {
    var latentRep: Rep { get }
    var observationSize: Int { get }
    var actionSize: Int { get }
    /// True when the architecture is equivariant by construction (what the equivariant planner relies on).
    var isEquivariant: Bool { get }
    /// The registered env the model was trained on (nil: unknown, e.g. a synthetic test model).
    var trainedEnv: String? { get }
    /// Env steps one `predict` call advances (the frameskip the model was trained at; 1: one env step).
    var frameskip: Int { get }
    /// What the checkpoint records of its training (nil: unknown, e.g. a synthetic test model or an ensemble).
    var provenance: ModelProvenance? { get }
    /// The same model evaluated in Double, when this one computes in a lower precision (nil: this one is it).
    /// Used where a result must be equivariant to Double rounding, as the equivariant planner's canonical frame.
    var doubleTwin: (any LatentWorldModel)? { get }
    /// True when an observation row ends with the previous action (`actionSize` numbers, e.g. PushT's target point)
    /// after the env's own observation: the caller appends the action it executed last.
    var observesPreviousAction: Bool { get }
    /// How many of the latent's last vector channels are the observation itself (z = [E(o), o]; 0: none). Planners
    /// can weight these apart from the learned channels; a per-channel weight keeps the metric invariant.
    var observedLatentChannels: Int { get }
    /// True when an observation row ends (after the previous action, if any) with where the agent was one env step
    /// before (`actionSize` numbers): the caller appends it from the observation before (at rest: the agent's position).
    var observesAgentVelocity: Bool { get }
    /// nil: `predict` takes the env's actions. Else `predict` takes each action as its offset a - p from the point p
    /// whose first number is at this index of the observation row it is taken at (PushT: the agent; as DINO-WM's
    /// actions), and a planner plans those offsets.
    var actionOrigin: Int? { get }
    func encode(_ observations: [Double], batch: Int) -> [Double]
    func predict(_ latents: [Double], actions: [Double], batch: Int) -> [Double]
}

extension LatentWorldModel {
    public var trainedEnv: String? { nil }
    public var frameskip: Int { 1 }
    public var provenance: ModelProvenance? { nil }
    public var doubleTwin: (any LatentWorldModel)? { nil }
    public var observesPreviousAction: Bool { false }
    public var observedLatentChannels: Int { 0 }
    public var actionOrigin: Int? { nil }
    public var observesAgentVelocity: Bool { false }
}

/// A model that needs the centre of the world it acts in (g.0 for the world at g, d numbers), e.g. a 3D cloud model with an
/// origin channel. The closed-loop runner sets it per episode: a known constant of the world, like PushT's centre.
public protocol WorldCentred: AnyObject {
    var origin: [Double] { get set }
}
