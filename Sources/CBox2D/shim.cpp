#include "CBox2D.h"

#include <box2d/box2d.h>
#include <cstdio>
#include <vector>

struct cb2_world {
    b2World world{b2Vec2(0.0f, 0.0f)};
    std::vector<b2Body *> bodies;
    std::vector<b2Fixture *> fixtures;
    char version[32] = {0};
};

static uintptr_t tag(int32_t index) { return static_cast<uintptr_t>(index) + 1; }
static int32_t untag(uintptr_t value) { return static_cast<int32_t>(value) - 1; }

extern "C" {

cb2_world *cb2_world_create(void) {
    auto *w = new cb2_world();
    w->world.SetAllowSleeping(false);
    w->world.SetContinuousPhysics(false);
    w->world.SetWarmStarting(false);
    return w;
}

void cb2_world_destroy(cb2_world *world) { delete world; }

int32_t cb2_add_body(cb2_world *world, cb2_body_type type, float x, float y, float angle) {
    b2BodyDef def;
    def.type = type == CB2_STATIC ? b2_staticBody : (type == CB2_KINEMATIC ? b2_kinematicBody : b2_dynamicBody);
    def.position.Set(x, y);
    def.angle = angle;
    def.allowSleep = false;
    def.bullet = false;
    int32_t index = static_cast<int32_t>(world->bodies.size());
    def.userData.pointer = tag(index);
    world->bodies.push_back(world->world.CreateBody(&def));
    return index;
}

static int32_t add_fixture(cb2_world *world, int32_t body, const b2Shape *shape) {
    if (body < 0 || body >= static_cast<int32_t>(world->bodies.size())) return -1;
    b2FixtureDef def;
    def.shape = shape;
    def.density = 1.0f;  // mass properties are Swift's; Box2D only needs a non-degenerate body
    def.friction = 0.0f;
    def.restitution = 0.0f;
    int32_t index = static_cast<int32_t>(world->fixtures.size());
    def.userData.pointer = tag(index);
    world->fixtures.push_back(world->bodies[body]->CreateFixture(&def));
    return index;
}

int32_t cb2_add_polygon(cb2_world *world, int32_t body, const float *xy, int32_t count) {
    if (count < 3 || count > b2_maxPolygonVertices) return -1;
    b2Vec2 points[b2_maxPolygonVertices];
    for (int32_t i = 0; i < count; ++i) points[i].Set(xy[2 * i], xy[2 * i + 1]);
    b2PolygonShape polygon;
    polygon.Set(points, count);  // 2.4.1: computes the convex hull; degenerate input asserts in debug builds
    if (polygon.m_count < 3) return -1;
    polygon.m_radius = 0.0f;  // sharp corners, as the reference's shapes
    return add_fixture(world, body, &polygon);
}

int32_t cb2_add_circle(cb2_world *world, int32_t body, float cx, float cy, float radius) {
    b2CircleShape circle;
    circle.m_p.Set(cx, cy);
    circle.m_radius = radius;
    return add_fixture(world, body, &circle);
}

void cb2_set_transform(cb2_world *world, int32_t body, float x, float y, float angle) {
    if (body < 0 || body >= static_cast<int32_t>(world->bodies.size())) return;
    world->bodies[body]->SetTransform(b2Vec2(x, y), angle);
}

int32_t cb2_collide(cb2_world *world, cb2_manifold *out, int32_t capacity) {
    // The first half of b2World::Step without its solver (and without its timers): new broad-phase
    // pairs, then every contact's narrow phase. The contact manager is the world's own.
    b2ContactManager &manager = const_cast<b2ContactManager &>(world->world.GetContactManager());
    manager.FindNewContacts();
    manager.Collide();
    int32_t n = 0;
    for (b2Contact *c = world->world.GetContactList(); c && n < capacity; c = c->GetNext()) {
        if (!c->IsTouching() || !c->IsEnabled()) continue;
        const b2Manifold *m = c->GetManifold();
        if (m->pointCount == 0) continue;
        b2Fixture *fa = c->GetFixtureA();
        b2Fixture *fb = c->GetFixtureB();
        b2Body *ba = fa->GetBody();
        b2Body *bb = fb->GetBody();
        b2WorldManifold wm;
        wm.Initialize(m, ba->GetTransform(), fa->GetShape()->m_radius, bb->GetTransform(), fb->GetShape()->m_radius);
        cb2_manifold &r = out[n++];
        r.bodyA = untag(ba->GetUserData().pointer);
        r.bodyB = untag(bb->GetUserData().pointer);
        r.shapeA = untag(fa->GetUserData().pointer);
        r.shapeB = untag(fb->GetUserData().pointer);
        r.nx = wm.normal.x;
        r.ny = wm.normal.y;
        r.count = m->pointCount;
        for (int32_t i = 0; i < m->pointCount; ++i) {
            // b2WorldManifold stores the midpoint of the two surface points and their signed distance.
            float s = wm.separations[i];
            r.ax[i] = wm.points[i].x - 0.5f * s * wm.normal.x;
            r.ay[i] = wm.points[i].y - 0.5f * s * wm.normal.y;
            r.bx[i] = wm.points[i].x + 0.5f * s * wm.normal.x;
            r.by[i] = wm.points[i].y + 0.5f * s * wm.normal.y;
            r.separation[i] = s;
            r.key[i] = m->points[i].id.key;
        }
    }
    return n;
}

const char *cb2_version(void) {
    static char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%d.%d.%d", b2_version.major, b2_version.minor, b2_version.revision);
    return buffer;
}

}  // extern "C"
