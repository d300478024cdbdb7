/// A node of the reverse-mode graph (micrograd-style): a value, the primitive that made it,
/// its parents, and after `backward()` its gradient.
///
/// Leaves are parameters (`requiresGrad: true`) or constants. A node built only from constants
/// keeps no parents, so forward passes through frozen weights (an EMA target) build no graph.
public final class Variable<Scalar: TensorScalar> {
    public var value: Tensor<Scalar>
    public var grad: Tensor<Scalar>?
    public let op: Op
    public let parents: [Variable<Scalar>]
    /// Whether gradients flow to this node. Change it only on leaves (e.g. to freeze a parameter).
    public var requiresGrad: Bool
    /// An optional name (parameters are named for checkpoints and diagnostics).
    public var name: String

    /// A leaf.
    public init(_ value: Tensor<Scalar>, requiresGrad: Bool = false, name: String = "") {
        self.value = value
        self.op = .leaf
        self.parents = []
        self.requiresGrad = requiresGrad
        self.name = name
    }

    /// Applies a primitive to parents (shapes already validated by the caller).
    init(op: Op, parents: [Variable<Scalar>]) {
        // Closures, not key paths (`map(\.value)`): a key path into this generic class is built at run time on every
        // call, which cost 7% of a training step.
        self.value = Scalar._forward(op, parents.map { $0.value })
        self.op = op
        let rg = parents.contains { $0.requiresGrad }
        self.requiresGrad = rg
        self.parents = rg ? parents : []
        self.name = ""
    }

    public var shape: [Int] { value.shape }

    /// The same value, cut from the graph.
    public func detached() -> Variable { Variable(value) }

    /// Clears the gradient.
    public func zeroGrad() { grad = nil }

    /// Accumulates `gradient` into `grad`.
    func accumulate(_ gradient: Tensor<Scalar>) {
        if grad == nil {
            grad = gradient
        } else {
            Scalar._axpby(1, gradient, 1, &grad!)
        }
    }

    /// Nodes reachable from `self` that require gradients, parents before children.
    func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            if !visited.insert(ObjectIdentifier(node)).inserted { continue }
            stack.append((node, true))
            for p in node.parents where p.requiresGrad && !visited.contains(ObjectIdentifier(p)) {
                stack.append((p, false))
            }
        }
        return order
    }

    /// Reverse-mode sweep from this node, seeded with `seed` (default: ones, i.e. d(sum)/d·).
    /// Gradients accumulate into the `grad` of every leaf that requires them; gradients of
    /// interior nodes are released as soon as they have been propagated.
    public func backward(seed: Tensor<Scalar>? = nil) {
        guard requiresGrad else { return }
        let order = topologicalOrder()
        accumulate(seed ?? Tensor(shape: value.shape, repeating: 1))
        for node in order.reversed() {
            guard node.op != .leaf, let g = node.grad else { continue }
            let grads = Scalar._backward(
                node.op, inputs: node.parents.map { $0.value }, output: node.value, gradient: g,
                needsGradient: node.parents.map { $0.requiresGrad })
            for (p, gp) in zip(node.parents, grads) where p.requiresGrad {
                if let gp { p.accumulate(gp) }
            }
            node.grad = nil
        }
    }
}
