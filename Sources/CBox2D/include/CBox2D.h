// A small C shim over Box2D 2.4 (Debian's libbox2d-dev).
//
// ewm-sim uses Box2D's world for what Box2D is good at and what must match its data structures:
// shapes and fixtures, the dynamic-tree broad phase, contact management with persistent feature ids,
// and the narrow phase (polygon clipping, polygon/circle, manifolds). The contact *solver* that turns
// those manifolds into impulses lives in Swift (Envs/Physics) so that it can follow the reference's
// (Chipmunk 7's) substep order exactly; see Envs/PushT/PushTPhysics.swift.
//
// Units: whatever the caller passes (ewm-sim passes metres). Box2D works in float32.
#ifndef CBOX2D_H
#define CBOX2D_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cb2_world cb2_world;

typedef enum { CB2_STATIC = 0, CB2_KINEMATIC = 1, CB2_DYNAMIC = 2 } cb2_body_type;

/// One touching contact manifold between two fixtures, in world coordinates.
typedef struct {
    int32_t bodyA, bodyB;        ///< body indices returned by cb2_add_body
    int32_t shapeA, shapeB;      ///< shape indices returned by cb2_add_polygon / cb2_add_circle
    float nx, ny;                ///< unit normal, from A to B
    int32_t count;               ///< 1 or 2 points
    float ax[2], ay[2];          ///< contact points on A's surface
    float bx[2], by[2];          ///< contact points on B's surface
    float separation[2];         ///< signed distance along the normal (negative = overlap)
    uint32_t key[2];             ///< Box2D contact feature keys (persist while the same features touch)
} cb2_manifold;

cb2_world *cb2_world_create(void);
void cb2_world_destroy(cb2_world *world);

/// Adds a body with its origin at (x, y) and the given angle; returns its index (0, 1, ...).
int32_t cb2_add_body(cb2_world *world, cb2_body_type type, float x, float y, float angle);
/// Adds a convex polygon (3..8 vertices, body-local, counter-clockwise or not) with zero skin radius.
/// Returns the shape index, or -1 if Box2D rejects the polygon.
int32_t cb2_add_polygon(cb2_world *world, int32_t body, const float *xy, int32_t count);
/// Adds a circle (body-local centre); returns the shape index.
int32_t cb2_add_circle(cb2_world *world, int32_t body, float cx, float cy, float radius);
/// Moves a body's origin; contacts are refreshed by the next cb2_collide.
void cb2_set_transform(cb2_world *world, int32_t body, float x, float y, float angle);

/// Runs Box2D's broad phase, contact update and narrow phase (the collision half of b2World::Step,
/// without the solver) and writes up to `capacity` touching manifolds. Returns how many were written.
int32_t cb2_collide(cb2_world *world, cb2_manifold *out, int32_t capacity);

/// Box2D's version, "major.minor.revision".
const char *cb2_version(void);

#ifdef __cplusplus
}
#endif

#endif
