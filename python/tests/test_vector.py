"""The native vector env against Gymnasium's SyncVectorEnv of the same env: same spaces, same autoreset, same numbers."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

import ewm_sim

CASES = [
    ("ewm_sim/PushT-v0", dict(obs_type="state")),
    ("ewm_sim/PushT-v0", dict(obs_type="keypoints", orientation=0.7, rotation="world")),
    ("ewm_sim/PushT-v0", dict(obs_type="pixels", orientation=-1.1)),
    ("ewm_sim/Teacher2D-v0", dict(orientation=0.3)),
    ("ewm_sim/Teacher3D-v0", dict(se3=(0.4, -1.3, 2.1, 0.3, -0.2, 0.5))),
    ("ewm_sim/Push3D-v0", dict(obs_type="state")),
    ("ewm_sim/Push3DMulti-v0", dict(orientation=0.5, rotation="world")),
]


def make_pair(gid, num_envs, **kwargs):
    native = gym.make_vec(gid, num_envs=num_envs, vectorization_mode="vector_entry_point", **kwargs)
    sync = gym.make_vec(gid, num_envs=num_envs, vectorization_mode="sync", **kwargs)
    return native, sync


@pytest.mark.parametrize("gid,kwargs", CASES)
def test_native_vector_env_equals_sync_vector_env(gid, kwargs):
    native, sync = make_pair(gid, 6, max_episode_steps=7, **kwargs)
    assert isinstance(native.unwrapped, ewm_sim.EwmSimVectorEnv)
    assert native.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP == sync.metadata["autoreset_mode"]
    assert native.single_observation_space == sync.single_observation_space
    assert native.single_action_space == sync.single_action_space
    assert native.observation_space == batch_space(native.single_observation_space, 6) == sync.observation_space
    assert native.action_space == sync.action_space
    o1, i1 = native.reset(seed=11)
    o2, i2 = sync.reset(seed=11)
    assert data_equivalence(o1, o2, exact=True) and data_equivalence(i1, i2, exact=True)
    native.action_space.seed(5)
    ends = 0
    for t in range(20):  # episodes of 7 steps: truncations and next-step autoresets on every env
        actions = native.action_space.sample()
        r1 = native.step(actions)
        r2 = sync.step(actions)
        for a, b in zip(r1, r2):
            assert data_equivalence(a, b, exact=True), (t, a, b)
        ends += int(r1[3].sum())
    assert ends >= 12
    native.close()
    sync.close()


def test_vector_reset_seeds_are_the_single_envs_seeds():
    envs = gym.make_vec("ewm_sim/PushT-v0", num_envs=4, vectorization_mode="vector_entry_point")
    single = gym.make("ewm_sim/PushT-v0")
    obs, _ = envs.reset(seed=[3, None, 100, 7])
    assert np.array_equal(obs[0], single.reset(seed=3)[0])
    assert np.array_equal(obs[2], single.reset(seed=100)[0])
    obs, _ = envs.reset(seed=40)
    for i in range(4):
        assert np.array_equal(obs[i], single.reset(seed=40 + i)[0])
    with pytest.raises(ValueError):
        envs.reset(seed=[1, 2])


def test_reset_mask_resets_only_the_selected_envs():
    envs = gym.make_vec("ewm_sim/PushT-v0", num_envs=3, vectorization_mode="vector_entry_point")
    obs, _ = envs.reset(seed=0)
    moved, *_ = envs.step(np.full((3, 2), 100.0))
    mask = np.array([False, True, False])
    again, info = envs.reset(seed=0, options={"reset_mask": mask})
    assert np.array_equal(again[1], obs[1])
    assert np.array_equal(again[0], moved[0]) and np.array_equal(again[2], moved[2])
    assert list(info["_coverage"]) == [False, True, False]


def test_vector_bad_actions_raise_and_move_nothing():
    envs = gym.make_vec("ewm_sim/PushT-v0", num_envs=4, vectorization_mode="vector_entry_point")
    twin = gym.make_vec("ewm_sim/PushT-v0", num_envs=4, vectorization_mode="vector_entry_point")
    envs.reset(seed=1)
    twin.reset(seed=1)
    good = np.full((4, 2), 250.0)
    for bad, words in [
        (np.where(np.arange(8).reshape(4, 2) == 5, np.nan, 250.0), "env 2, element 1 is nan"),
        (np.where(np.arange(8).reshape(4, 2) == 0, np.inf, 250.0), "env 0, element 0 is inf"),
        (np.full((3, 2), 250.0), "expected shape (4, 2)"),
        (np.full((4, 3), 250.0), "expected shape (4, 2)"),
        (np.full(8, 250.0), "expected shape (4, 2)"),
    ]:
        with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
            envs.step(bad)
    assert data_equivalence(envs.step(good), twin.step(good), exact=True)


def test_vector_pixels_and_render():
    envs = gym.make_vec(
        "ewm_sim/PushT-v0", num_envs=3, vectorization_mode="vector_entry_point", obs_type="pixels", render_mode="rgb_array", render_size=32
    )
    obs, _ = envs.reset(seed=2)
    assert obs.shape == (3, 96, 96, 3) and obs.dtype == np.uint8
    frames = envs.render()
    assert len(frames) == 3 and frames[0].shape == (32, 32, 3)


@pytest.mark.parametrize("threads", [1, 2, 5])
def test_thread_count_changes_no_number(threads):
    base = gym.make_vec("ewm_sim/PushT-v0", num_envs=9, vectorization_mode="vector_entry_point", threads=1)
    other = gym.make_vec("ewm_sim/PushT-v0", num_envs=9, vectorization_mode="vector_entry_point", threads=threads)
    assert data_equivalence(base.reset(seed=4), other.reset(seed=4), exact=True)
    rng = np.random.default_rng(0)
    for _ in range(30):
        a = rng.uniform(-1, 1, (9, 2))
        assert data_equivalence(base.step(a), other.step(a), exact=True)


@pytest.mark.parametrize("gid,obs", [("ewm_sim/PushT-v0", "state"), ("ewm_sim/PushT-v0", "keypoints"), ("ewm_sim/Push3D-v0", "points"), ("ewm_sim/Teacher2D-v0", "points")])
@pytest.mark.parametrize("rotation", ["frame", "world"])
def test_observations_stay_in_the_space_at_every_orientation(gid, obs, rotation):
    """Oriented worlds' spaces contain their observations (PushT: the workspace square [0, 512]^2 turned). PushT's
    T can be pushed a few pixels into a wall, past 0 or 512, as in gym-pusht, whose space it keeps: a margin of 20 px."""
    margin = 20.0 if "PushT" in gid else 0.0
    for orientation in np.linspace(-np.pi, np.pi, 9):
        envs = gym.make_vec(gid, num_envs=8, vectorization_mode="vector_entry_point", obs_type=obs, orientation=orientation, rotation=rotation)
        space = envs.single_observation_space
        o, _ = envs.reset(seed=int(orientation * 100) + 1000)
        envs.action_space.seed(3)
        for _ in range(40):
            assert np.all(o >= space.low - margin) and np.all(o <= space.high + margin)
            o, *_ = envs.step(envs.action_space.sample())
        envs.close()
