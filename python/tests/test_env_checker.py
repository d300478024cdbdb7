"""Gymnasium's own checker over every registered env and observation type, with every warning an error."""

import warnings

import gymnasium as gym
import numpy as np
import pytest
from conftest import ENV_OBS
from gymnasium.utils.env_checker import check_env

import ewm_sim

#: Gymnasium's advice for action boxes other than [-1, 1] or [0, 1] (PushT's native box is gym-pusht's [0, 512]^2).
ACTION_ADVICE = "For Box action spaces, we recommend using a symmetric and normalized space"


def run_checker(env: gym.Env) -> list[str]:
    """check_env on the unwrapped env (Gymnasium's recommendation), returning the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env.unwrapped)
    return [str(w.message) for w in caught]


@pytest.mark.parametrize("env_id,gid,obs", ENV_OBS)
@pytest.mark.parametrize("orientation,rotation", [(0.0, "frame"), (0.7, "frame"), (0.7, "world")])
def test_check_env_passes_without_warnings(env_id, gid, obs, orientation, rotation):
    """Every registered env and observation type, as `gymnasium.make` gives it: not one warning."""
    env = gym.make(gid, obs_type=obs, orientation=orientation, rotation=rotation)
    assert run_checker(env) == []
    env.close()


def test_native_pixel_box_draws_only_gymnasiums_advice():
    """PushT with gym-pusht's own action box (`normalize_actions=False`, the drop-in): the one thing the checker says
    is its advice to normalise, and the default env steps exactly as the native one at the mapped action."""
    native = gym.make("ewm_sim/PushT-v0", normalize_actions=False)
    assert native.action_space == gym.spaces.Box(0, 512, (2,), np.float64)
    messages = run_checker(native)
    assert len(messages) == 1 and ACTION_ADVICE in messages[0], messages
    env = gym.make("ewm_sim/PushT-v0")
    env.reset(seed=0)
    native.reset(seed=0)
    assert np.array_equal(env.step(np.array([-1.0, 0.5]))[0], native.step(np.array([0.0, 384.0]))[0])


@pytest.mark.parametrize("env_id,gid,obs", ENV_OBS)
def test_render_modes(env_id, gid, obs):
    facts = ewm_sim.REGISTRY[env_id]
    if facts["renders"] == "1":
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            env = gym.make(gid, obs_type=obs, render_mode="rgb_array", render_size=(64, 48))
            env.reset(seed=1)
            frame = env.render()
        assert frame.shape == (48, 64, 3) and frame.dtype == np.uint8 and frame.std() > 0
    else:
        with pytest.raises(gym.error.UnsupportedMode):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Gymnasium warns before the env refuses
                gym.make(gid, obs_type=obs, render_mode="rgb_array")


def test_pusht_render_default_size_is_gym_pushts():
    env = gym.make("ewm_sim/PushT-v0", render_mode="rgb_array")
    env.reset(seed=0)
    assert env.render().shape == (680, 680, 3)


def test_spec_and_metadata():
    spec = gym.spec("ewm_sim/PushT-v0")
    assert spec.max_episode_steps == 300
    assert spec.vector_entry_point == "ewm_sim.envs:PushTVectorEnv"
    env = gym.make("ewm_sim/PushT-v0")
    assert env.metadata["render_fps"] == 10
    assert env.action_space == gym.spaces.Box(-1, 1, (2,), np.float64)
    assert env.observation_space.high[4] == 2 * np.pi
