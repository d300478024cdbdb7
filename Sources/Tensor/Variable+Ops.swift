// The public face of the primitives: each builder checks shapes (with a message that names the
// shapes) and records one node. Composite operations (mean, norms, ...) are built from these.

func normalizedAxis(_ axis: Int, rank: Int, _ what: String) -> Int {
    let a = axis < 0 ? axis + rank : axis
    precondition(a >= 0 && a < rank, "\(what): axis \(axis) out of range for rank \(rank)")
    return a
}

extension Variable {
    static func sameShape(_ a: Variable, _ b: Variable, _ what: String) {
        precondition(a.shape == b.shape, "\(what): shapes differ: \(a.shape) vs \(b.shape)")
    }

    public static func + (a: Variable, b: Variable) -> Variable {
        sameShape(a, b, "add"); return Variable(op: .add, parents: [a, b])
    }
    public static func - (a: Variable, b: Variable) -> Variable {
        sameShape(a, b, "sub"); return Variable(op: .sub, parents: [a, b])
    }
    public static func * (a: Variable, b: Variable) -> Variable {
        sameShape(a, b, "mul"); return Variable(op: .mul, parents: [a, b])
    }
    public static func / (a: Variable, b: Variable) -> Variable {
        sameShape(a, b, "div"); return Variable(op: .div, parents: [a, b])
    }
    public static func * (a: Variable, c: Double) -> Variable { Variable(op: .scale(c), parents: [a]) }
    public static func * (c: Double, a: Variable) -> Variable { Variable(op: .scale(c), parents: [a]) }
    public static func + (a: Variable, c: Double) -> Variable { Variable(op: .shift(c), parents: [a]) }
    public static func - (a: Variable, c: Double) -> Variable { Variable(op: .shift(-c), parents: [a]) }
    public static func - (c: Double, a: Variable) -> Variable { Variable(op: .shift(c), parents: [Variable(op: .scale(-1), parents: [a])]) }
    public static prefix func - (a: Variable) -> Variable { Variable(op: .scale(-1), parents: [a]) }

    public func apply(_ f: UnaryFunction) -> Variable { Variable(op: .unary(f), parents: [self]) }
    public func relu() -> Variable { apply(.relu) }
    public func leakyRelu(slope: Double) -> Variable { apply(.leakyRelu(slope: slope)) }
    public func tanh() -> Variable { apply(.tanh) }
    public func exp() -> Variable { apply(.exp) }
    public func log() -> Variable { apply(.log) }
    public func sqrt() -> Variable { apply(.sqrt) }
    public func squared() -> Variable { apply(.square) }
    public func sin() -> Variable { apply(.sin) }
    public func cos() -> Variable { apply(.cos) }

    /// op(self) x op(other) for rank-2 operands (BLAS gemm).
    public func matmul(_ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false) -> Variable {
        precondition(shape.count == 2 && other.shape.count == 2, "matmul: needs rank-2 operands, got \(shape) and \(other.shape)")
        let k1 = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0]
        precondition(k1 == k2, "matmul: inner dimensions differ: \(shape)\(transposeSelf ? "^T" : "") x \(other.shape)\(transposeOther ? "^T" : "")")
        return Variable(op: .matmul(transposeA: transposeSelf, transposeB: transposeOther), parents: [self, other])
    }

    /// Sum over `axis` (negative counts from the end); the axis is removed.
    public func sum(axis: Int) -> Variable {
        Variable(op: .sum(axis: normalizedAxis(axis, rank: shape.count, "sum")), parents: [self])
    }
    /// Mean over `axis`; the axis is removed.
    public func mean(axis: Int) -> Variable {
        let a = normalizedAxis(axis, rank: shape.count, "mean")
        return sum(axis: a) * (1.0 / Double(max(1, shape[a])))
    }
    /// Sum of all elements (rank 0).
    public func sum() -> Variable { Variable(op: .sumAll, parents: [self]) }
    /// Mean of all elements (rank 0).
    public func mean() -> Variable { sum() * (1.0 / Double(max(1, value.count))) }

    /// Inserts an axis of length `count` at `axis` (0...rank), repeating the values along it.
    public func expand(axis: Int, count: Int) -> Variable {
        let a = axis < 0 ? axis + shape.count + 1 : axis
        precondition(a >= 0 && a <= shape.count && count >= 0, "expand: axis \(axis), count \(count) for shape \(shape)")
        return Variable(op: .expand(axis: a, count: count), parents: [self])
    }

    public func reshaped(_ newShape: [Int]) -> Variable {
        precondition(
            newShape.allSatisfy { $0 >= 0 } && newShape.reduce(1, *) == value.count,
            "reshape: \(shape) -> \(newShape) changes the element count")
        return Variable(op: .reshape(newShape), parents: [self])
    }

    /// Concatenation along `axis`; all other dimensions must agree.
    public static func concat(_ parts: [Variable], axis: Int) -> Variable {
        precondition(!parts.isEmpty, "concat: no inputs")
        let rank = parts[0].shape.count
        let a = normalizedAxis(axis, rank: rank, "concat")
        for p in parts {
            var s = p.shape, s0 = parts[0].shape
            precondition(s.count == rank, "concat: ranks differ: \(parts.map(\.shape))")
            s[a] = 0; s0[a] = 0
            precondition(s == s0, "concat along \(a): shapes differ off the axis: \(parts.map(\.shape))")
        }
        return Variable(op: .concat(axis: a), parents: parts)
    }

    /// Vector Neuron leaky ReLU of features q [..., d, C] with directions k (same shape).
    public func vnLeakyReLU(direction k: Variable, slope: Double = 0.2, eps: Double = 1e-6) -> Variable {
        precondition(shape.count >= 2, "vnLeakyReLU: features need shape [..., d, C], got \(shape)")
        Variable.sameShape(self, k, "vnLeakyReLU(features, direction)")
        return Variable(op: .vnLeakyReLU(slope: slope, eps: eps), parents: [self, k])
    }
}
