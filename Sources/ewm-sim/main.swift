import Envs
print("ewm-sim (Box2D \(box2DVersion))")
