"""Bad input from Python: clear exceptions (ValueError for actions, Gymnasium's errors for ids and options), the env
left as it was, and an interpreter that keeps running."""

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from conftest import ENV_OBS

import ewm_sim

BAD_ACTIONS = [
    ("nan", lambda n: np.full(n, np.nan), "is nan; actions must be finite"),
    ("+inf", lambda n: np.full(n, np.inf), "is inf; actions must be finite"),
    ("-inf", lambda n: np.array([-np.inf] + [0.0] * (n - 1)), "is -inf; actions must be finite"),
    ("short", lambda n: np.zeros(n - 1), f"expected shape"),
    ("long", lambda n: np.zeros(n + 1), "expected shape"),
    ("2d", lambda n: np.zeros((1, n)), "expected shape"),
    ("scalar", lambda n: 0.5, "expected shape"),
    ("list with nan", lambda n: [float("nan")] * n, "actions must be finite"),
    ("text", lambda n: "left", "not an array of numbers"),
    ("none", lambda n: None, "expected shape"),
]


@pytest.mark.parametrize("env_id,gid,obs", ENV_OBS)
def test_bad_actions_raise_value_error_and_change_nothing(env_id, gid, obs):
    env, twin = gym.make(gid, obs_type=obs), gym.make(gid, obs_type=obs)
    env.reset(seed=5)
    twin.reset(seed=5)
    n = env.action_space.shape[0]
    for name, action, words in BAD_ACTIONS:
        with pytest.raises(ValueError, match=words) as caught:
            env.step(action(n))
        assert isinstance(caught.value, gym.error.InvalidAction), name
        assert gid in str(caught.value), name
    good = env.action_space.sample()
    a, b = env.step(good), twin.step(good)
    assert np.array_equal(a[0], b[0]) and a[1:4] == b[1:4]


def test_native_actions_reject_the_same_input():
    """gym-pusht's pixel box (`normalize_actions=False`) refuses bad actions as the default [-1, 1] box does."""
    env = gym.make("ewm_sim/PushT-v0", normalize_actions=False)
    env.reset(seed=0)
    twin = gym.make("ewm_sim/PushT-v0", normalize_actions=False)
    twin.reset(seed=0)
    for bad in (np.array([np.nan, 0.0]), np.array([0.0, np.inf]), np.zeros(3)):
        with pytest.raises(ValueError):
            env.step(bad)
    a, b = env.step(np.array([300.0, 200.0])), twin.step(np.array([300.0, 200.0]))
    assert np.array_equal(a[0], b[0])


def test_unknown_ids_raise_gymnasiums_errors():
    with pytest.raises(gym.error.NameNotFound):
        gym.make("ewm_sim/PushZ-v0")
    with pytest.raises(gym.error.VersionNotFound):
        gym.make("ewm_sim/PushT-v7")
    with pytest.raises(gym.error.NamespaceNotFound):
        gym.make("ewm_simm/PushT-v0")
    with pytest.raises(gym.error.NameNotFound):
        gym.make_vec("ewm_sim/Nope-v0", num_envs=2, vectorization_mode="vector_entry_point")


@pytest.mark.parametrize(
    "kwargs,error,words",
    [
        (dict(obs_type="depth"), ValueError, "no observation type 'depth'"),
        (dict(rotation="sideways"), ValueError, "rotation must be 'frame' or 'world'"),
        (dict(orientation=float("nan")), ValueError, "orientation must be finite"),
        (dict(orientation="north"), ValueError, "orientation must be a number"),
        (dict(reset_order="backwards"), ValueError, "unknown reset order 'backwards'"),
        (dict(shape="box"), TypeError, "has no option 'shape'"),
        (dict(frameskip=5), TypeError, "has no option 'frameskip'"),
        (dict(render_size=0), ValueError, "render_size"),
        (dict(render_mode="depth_array"), gym.error.UnsupportedMode, "render modes"),
    ],
)
def test_bad_options_raise_gymnasium_errors(kwargs, error, words):
    with pytest.raises(error, match=words) as caught:
        with pytest.warns(UserWarning) if "render_mode" in kwargs else _nothing():
            gym.make("ewm_sim/PushT-v0", **kwargs)
    assert isinstance(caught.value, gym.error.Error)


def test_bad_env_options_of_other_envs():
    with pytest.raises(ValueError, match="objects must be 2...6"):
        gym.make("ewm_sim/Push3DMulti-v0", objects=9)
    with pytest.raises(ValueError, match="se3 must be six finite numbers"):
        gym.make("ewm_sim/Push3D-v0", se3=(1, 2))
    with pytest.raises(ValueError, match="teacher2d points must be"):
        gym.make("ewm_sim/Teacher2D-v0", points=1)
    with pytest.raises(ValueError, match="num_envs"):
        gym.make_vec("ewm_sim/PushT-v0", num_envs=0, vectorization_mode="vector_entry_point")
    env = gym.make("ewm_sim/Push3DMulti-v0", objects=4, shape="tripod", se3=[0.1, 0.2, 0.3, 1, 2, 3])
    assert env.reset(seed=0)[0].shape == env.observation_space.shape


def test_reset_states_and_options():
    env = gym.make("ewm_sim/PushT-v0")
    obs, _ = env.reset(options={"reset_to_state": [100, 120, 300, 310, 0.5]})
    assert np.array_equal(obs[:2], [100, 120])  # the block as gym-pusht's legacy _set_state leaves it
    obs2, _ = env.reset(options={"state": np.array([100, 120, 300, 310, 0.5])})
    assert np.array_equal(obs, obs2)
    for bad, words in [([1, 2, 3], "expected 5 values"), ([1, 2, 3, 4, np.nan], "states must be finite")]:
        with pytest.raises(ValueError, match=words) as caught:
            env.reset(options={"state": bad})
        assert isinstance(caught.value, ewm_sim.InvalidStateError)
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={"goal": 3})
    with pytest.raises(gym.error.Error):
        env.reset(seed=-1)


def test_step_before_reset():
    with pytest.raises(gym.error.ResetNeeded):
        gym.make("ewm_sim/PushT-v0").step(np.zeros(2))
    with pytest.raises(gym.error.ResetNeeded, match="reset"):
        gym.make("ewm_sim/PushT-v0").unwrapped.step(np.zeros(2))


def test_nothing_crashes_the_interpreter():
    """A stream of bad calls in a fresh interpreter: it ends normally and prints every error's class."""
    script = """
import gymnasium as gym, numpy as np, ewm_sim, warnings
warnings.simplefilter("ignore")
names = []
def attempt(f):
    try:
        f()
    except Exception as e:
        names.append(type(e).__name__)
env = gym.make("ewm_sim/PushT-v0").unwrapped
attempt(lambda: env.step([1, 2]))
env.reset(seed=1)
for a in [[np.nan, 1], [1e308 * 10, 0], [1, 2, 3], [], "x", None, object()]:
    attempt(lambda: env.step(a))
attempt(lambda: env.reset(options={"state": [np.inf] * 5}))
attempt(lambda: env.reset(seed=2**64))
attempt(lambda: ewm_sim.EwmSimEnv())
attempt(lambda: gym.make("ewm_sim/Teacher2D-v0", render_mode="rgb_array"))
env.close(); env.close()
print(len(names), sorted(set(names)))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    count, _ = out.stdout.strip().split(" ", 1)
    assert int(count) == 12, out.stdout


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
