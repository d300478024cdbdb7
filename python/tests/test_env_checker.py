"""Gymnasium's own checker over every registered env and observation type, with every warning an error."""

import warnings

import gymnasium as gym
import numpy as np
import pytest
from conftest import ENV_OBS
from gymnasium.utils.env_checker import check_env

import ewm_sim

#: Gymnasium's advice for action boxes other than [-1, 1] or [0, 1]; PushT's box is gym-pusht's [0, 512]^2.
ACTION_ADVICE = "For Box action spaces, we recommend using a symmetric and normalized space"


def run_checker(env: gym.Env) -> list[str]:
    """check_env on the unwrapped env (Gymnasium's recommendation), returning the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env.unwrapped)
    return [str(w.message) for w in caught]


def native_box_is_normalized(env: gym.Env) -> bool:
    low, high = env.action_space.low, env.action_space.high
    return bool(np.all(((low == 0) | (np.abs(low) == np.abs(high))) & (low >= -1) & (high <= 1)))


@pytest.mark.parametrize("env_id,gid,obs", ENV_OBS)
@pytest.mark.parametrize("orientation,rotation", [(0.0, "frame"), (0.7, "frame"), (0.7, "world")])
def test_check_env_passes_without_warnings(env_id, gid, obs, orientation, rotation):
    kwargs = dict(obs_type=obs, orientation=orientation, rotation=rotation)
    env = gym.make(gid, **kwargs)
    if native_box_is_normalized(env):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_env(env.unwrapped)
    else:
        # The native box (gym-pusht's pixels for PushT) draws exactly Gymnasium's advice and nothing else ...
        messages = run_checker(env)
        assert len(messages) == 1 and ACTION_ADVICE in messages[0], messages
        # ... and with actions in [-1, 1] the checker has nothing to say.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_env(gym.make(gid, normalize_actions=True, **kwargs).unwrapped)
    env.close()


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
    assert env.action_space == gym.spaces.Box(0, 512, (2,), np.float64)
    assert env.observation_space.high[4] == 2 * np.pi
