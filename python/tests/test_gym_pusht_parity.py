"""ewm_sim/PushT-v0 against gym-pusht 0.1.8 in the same process (skipped when gym_pusht is not installed).

The figures are printed (`pytest -s`) as well as asserted."""

import warnings

import gymnasium as gym
import numpy as np
import pytest

import ewm_sim  # noqa: F401

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    gym_pusht = pytest.importorskip("gym_pusht")


def reference(obs_type="state"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gym.make("gym_pusht/PushT-v0", obs_type=obs_type, disable_env_checker=True).unwrapped


def test_reset_observations_over_1000_seeds():
    ours_state, ours_keypoints = gym.make("ewm_sim/PushT-v0", normalize_actions=False).unwrapped, gym.make("ewm_sim/PushT-v0", obs_type="keypoints", normalize_actions=False).unwrapped
    ref_state, ref_keypoints = reference("state"), reference("environment_state_agent_pos")
    state_error = keypoint_error = 0.0
    for seed in range(1000):
        a, _ = ours_state.reset(seed=seed)
        b, _ = ref_state.reset(seed=seed)
        state_error = max(state_error, float(np.max(np.abs(a - b))))
        k, _ = ours_keypoints.reset(seed=seed)
        r, _ = ref_keypoints.reset(seed=seed)
        keypoint_error = max(keypoint_error, float(np.max(np.abs(k - np.concatenate([r["environment_state"], r["agent_pos"]])))))
    print(f"\nreset(seed) over seeds 0-999: max |state - gym-pusht| {state_error:.3g}, max |keypoints - gym-pusht| {keypoint_error:.3g}")
    assert state_error <= 1e-6 and keypoint_error <= 1e-6


def test_agent_positions_over_random_action_episodes():
    ours, ref = gym.make("ewm_sim/PushT-v0", normalize_actions=False).unwrapped, reference()
    agent_error = block_error = angle_error = 0.0
    rng = np.random.default_rng(2024)
    for episode in range(100):
        ours.reset(seed=10_000 + episode)
        ref.reset(seed=10_000 + episode)
        for _ in range(100):
            action = rng.uniform(0, 512, size=2)
            a, *_, info_a = ours.step(action)
            b, *_, info_b = ref.step(action)
            agent_error = max(agent_error, float(np.max(np.abs(info_a["pos_agent"] - info_b["pos_agent"]))))
            block_error = max(block_error, float(np.max(np.abs(a[2:4] - b[2:4]))))
            angle_error = max(angle_error, float(abs(info_a["block_pose"][2] - info_b["block_pose"][2])))
    print(
        f"\n100 episodes x 100 random steps: max agent error {agent_error:.3g} px; "
        f"block (not asserted: contact chaos) max {block_error:.3g} px, angle {angle_error:.3g} rad"
    )
    assert agent_error <= 0.01


def test_block_one_step_error_on_contact_cases():
    """One step from the same state (velocities zero) with an action that drives the agent into the T: the block's
    displacement error relative to the reference's displacement, as the Swift fidelity tests report it."""
    ours, ref = gym.make("ewm_sim/PushT-v0", normalize_actions=False).unwrapped, reference()
    rng = np.random.default_rng(7)
    relative = []
    while len(relative) < 75:
        block = rng.uniform(150, 362, size=2)
        angle = rng.uniform(-np.pi, np.pi)
        direction = rng.normal(size=2)
        direction /= np.linalg.norm(direction)
        agent = block + direction * rng.uniform(45, 70)
        state = np.array([*agent, *block, angle])
        target = block - direction * 30
        ours.reset(options={"reset_to_state": state})
        start = ref.reset(options={"reset_to_state": state})[1]["block_pose"]
        a = ours.step(target)[4]["block_pose"]
        b = ref.step(target)[4]["block_pose"]
        moved = np.linalg.norm(b[:2] - start[:2])
        if ref.n_contact_points == 0 or moved < 1e-3:
            continue
        relative.append(np.linalg.norm(a[:2] - b[:2]) / moved)
    relative = np.array(relative)
    print(f"\nblock one-step error on {len(relative)} contact cases: median {np.median(relative):.2g}, p90 {np.quantile(relative, 0.9):.2g} of the reference's displacement")
    assert np.median(relative) < 1e-3
