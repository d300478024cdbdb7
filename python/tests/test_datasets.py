"""Datasets written by ewm_sim read back by zarr and pyarrow with the values of the same episodes run again."""

import json
import zlib

import gymnasium as gym
import numpy as np
import pytest

from ewm_sim import datasets


@pytest.fixture(scope="module")
def episodes():
    return datasets.record_pusht(episodes=3, steps=12, seed=40)


def test_recorded_episodes_replay_from_their_seeds(episodes):
    env = gym.make("ewm_sim/PushT-v0", normalize_actions=False).unwrapped
    starts = np.concatenate([[0], episodes.episode_ends[:-1]])
    for e, (start, end) in enumerate(zip(starts, episodes.episode_ends)):
        obs, _ = env.reset(seed=int(episodes.seeds[e]))
        for t in range(start, end):
            assert np.array_equal(obs, episodes.state[t])
            obs, reward, *_ = env.step(episodes.action[t])
            assert reward == episodes.reward[t]
    assert list(episodes.frame_index[:13]) == list(range(12)) + [0]


def test_diffusion_policy_zarr_reads_back(episodes, tmp_path):
    zarr = pytest.importorskip("zarr")
    path = datasets.write_diffusion_policy_zarr(episodes, tmp_path / "pusht.zarr")
    root = zarr.open_group(str(path), mode="r")
    assert root["data/state"].shape == (episodes.frames, 5) and root["data/state"].dtype == np.float32
    assert np.array_equal(root["data/state"][:], episodes.state.astype(np.float32))
    assert np.array_equal(root["data/keypoint"][:], episodes.keypoint.astype(np.float32))
    assert np.array_equal(root["data/action"][:], episodes.action.astype(np.float32))
    assert np.array_equal(root["data/img"][:], episodes.img.astype(np.float32))
    assert root["data/n_contacts"].shape == (episodes.frames, 1)
    assert np.array_equal(root["meta/episode_ends"][:], episodes.episode_ends)
    assert (path / ".zgroup").exists()  # zarr format 2, as Diffusion Policy's replay buffers


def test_lerobot_v3_reads_back(episodes, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    root = datasets.write_lerobot(episodes, tmp_path / "lerobot")
    info = json.loads((root / "meta" / "info.json").read_text())
    assert info["codebase_version"] == "v3.0" and info["total_frames"] == episodes.frames and info["total_episodes"] == 3
    data = pq.read_table(root / info["data_path"].format(chunk_index=0, file_index=0)).to_pydict()
    assert set(info["features"]) == set(data)
    assert np.array_equal(np.array(data["observation.state"], dtype=np.float32), episodes.state[:, :2].astype(np.float32))
    assert np.array_equal(np.array(data["action"], dtype=np.float32), episodes.action.astype(np.float32))
    assert np.array_equal(np.array(data["episode_index"]), episodes.episode_index)
    assert np.array_equal(np.array(data["next.reward"], dtype=np.float32), episodes.reward.astype(np.float32))
    # The PNG images decode to the pixel observations.
    for i in (0, episodes.frames - 1):
        blob = data["observation.image"][i]["bytes"]
        assert blob[:8] == b"\x89PNG\r\n\x1a\n"
        idat = blob[blob.index(b"IDAT") + 4 : blob.index(b"IEND") - 8]
        rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(96, 1 + 96 * 3)
        assert np.array_equal(rows[:, 1:].reshape(96, 96, 3), episodes.img[i])
    meta = pq.read_table(root / "meta" / "episodes" / "chunk-000" / "file-000.parquet").to_pydict()
    assert meta["dataset_to_index"] == list(episodes.episode_ends) and meta["tasks"][0] == [datasets.TASK]
    tasks = pq.read_table(root / "meta" / "tasks.parquet")
    assert tasks.column("task").to_pylist() == [datasets.TASK] and tasks.column("task_index").to_pylist() == [0]
