import CBox2D

/// Box2D's version as the linked library reports it.
public var box2DVersion: String { String(cString: cb2_version()) }
