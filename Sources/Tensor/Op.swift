/// Elementwise functions of one argument.
public enum UnaryFunction: Equatable, Sendable, CustomStringConvertible {
    case relu
    case leakyRelu(slope: Double)
    case tanh
    case exp
    case log
    case sqrt
    case square
    case sin
    case cos

    public var description: String {
        switch self {
        case .relu: return "relu"
        case .leakyRelu(let s): return "leakyRelu(\(s))"
        case .tanh: return "tanh"
        case .exp: return "exp"
        case .log: return "log"
        case .sqrt: return "sqrt"
        case .square: return "square"
        case .sin: return "sin"
        case .cos: return "cos"
        }
    }

    public static let all: [UnaryFunction] = [.relu, .leakyRelu(slope: 0.2), .tanh, .exp, .log, .sqrt, .square, .sin, .cos]
}

/// The primitives of the autodiff engine. Each has one forward rule (`Primitives+Forward.swift`)
/// and one backward rule (`Primitives+Backward.swift`); everything else is composed from them.
public enum Op: Equatable, Sendable, CustomStringConvertible {
    /// A leaf: a parameter or a constant.
    case leaf
    /// a + b, a - b, a * b, a / b (same shapes).
    case add, sub, mul, div
    /// a * c for a constant c.
    case scale(Double)
    /// a + c for a constant c.
    case shift(Double)
    /// f(a) elementwise.
    case unary(UnaryFunction)
    /// op(A) op(B) for rank-2 A and B, through BLAS.
    case matmul(transposeA: Bool, transposeB: Bool)
    /// Sum over one axis, which is removed.
    case sum(axis: Int)
    /// Sum of all elements, giving a rank-0 tensor.
    case sumAll
    /// Inserts an axis of length `count` at `axis`, repeating the input along it (adjoint of `sum`).
    case expand(axis: Int, count: Int)
    /// Same elements, new shape.
    case reshape([Int])
    /// Concatenation of the inputs along an axis.
    case concat(axis: Int)
    /// Vector Neuron leaky ReLU on features [..., d, C] with directions k of the same shape:
    /// per vector q and direction k, q if <q,k> >= 0, else q - (1 - slope) <q,k>/(|k|^2 + eps) k.
    case vnLeakyReLU(slope: Double, eps: Double)

    public var description: String {
        switch self {
        case .leaf: return "leaf"
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .div: return "div"
        case .scale(let c): return "scale(\(c))"
        case .shift(let c): return "shift(\(c))"
        case .unary(let f): return f.description
        case .matmul(let ta, let tb): return "matmul(tA: \(ta), tB: \(tb))"
        case .sum(let a): return "sum(axis: \(a))"
        case .sumAll: return "sumAll"
        case .expand(let a, let n): return "expand(axis: \(a), count: \(n))"
        case .reshape(let s): return "reshape(\(s))"
        case .concat(let a): return "concat(axis: \(a))"
        case .vnLeakyReLU(let s, let e): return "vnLeakyReLU(slope: \(s), eps: \(e))"
        }
    }
}
