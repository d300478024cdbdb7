"""PushT episodes from ewm_sim written in the layouts researchers load: Diffusion Policy's PushT replay zarr and a
LeRobot dataset v3.0 (parquet data, `meta/info.json`, tasks, episodes and stats; pixels as PNG images).

    from ewm_sim import datasets
    episodes = datasets.record_pusht(episodes=10, steps=50, seed=0)
    datasets.write_diffusion_policy_zarr(episodes, "pusht_replay.zarr")     # needs zarr
    datasets.write_lerobot(episodes, "pusht_lerobot")                        # needs pyarrow

Frames follow both formats' convention: frame t of an episode holds the observation before action t, the action,
and the reward and flags that action earned (`next.*`); an episode of T steps has T frames.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np

import ewm_sim  # noqa: F401  (registers the envs)

FPS = 10
TASK = "Push the T-shaped block onto the T-shaped target."


@dataclass
class PushTEpisodes:
    """Flat per-frame arrays of recorded PushT episodes (frame axis first)."""

    state: np.ndarray  # (F, 5) agent x, y, block x, y, angle (gym-pusht's state observation)
    keypoint: np.ndarray  # (F, 9, 2) the T's 8 corners, then the agent (ewm_sim's keypoints observation)
    img: np.ndarray  # (F, 96, 96, 3) uint8 pixels
    action: np.ndarray  # (F, 2)
    reward: np.ndarray  # (F,) reward of the action
    terminated: np.ndarray  # (F,) bool
    truncated: np.ndarray  # (F,) bool
    n_contacts: np.ndarray  # (F,) contacts per step, after the action
    episode_ends: np.ndarray  # (E,) exclusive end frame of each episode
    seeds: np.ndarray  # (E,) reset seeds

    @property
    def frames(self) -> int:
        return len(self.action)

    @property
    def episode_index(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.episode_ends)), np.diff(np.concatenate([[0], self.episode_ends])))

    @property
    def frame_index(self) -> np.ndarray:
        starts = np.concatenate([[0], self.episode_ends[:-1]])
        return np.arange(self.frames) - np.repeat(starts, np.diff(np.concatenate([[0], self.episode_ends])))


def record_pusht(
    episodes: int,
    steps: int,
    seed: int = 0,
    policy: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
    **make_kwargs,
) -> PushTEpisodes:
    """Runs `episodes` PushT episodes (reset seeds seed, seed + 1, ...) of at most `steps` steps (an episode ends
    early when the T reaches the goal), recording all three observation types from envs run in lockstep.
    `policy(state, rng)` gives the action (default: uniform in [0, 512]^2 from a generator seeded with `seed`)."""
    rng = np.random.default_rng(seed)
    if policy is None:

        def policy(state, rng):
            return rng.uniform(0, 512, size=2)

    envs = {obs: gym.make("ewm_sim/PushT-v0", obs_type=obs, **make_kwargs).unwrapped for obs in ("state", "keypoints", "pixels")}
    columns: dict[str, list] = {k: [] for k in ("state", "keypoint", "img", "action", "reward", "terminated", "truncated", "n_contacts")}
    ends = []
    for e in range(episodes):
        obs = {k: env.reset(seed=seed + e)[0] for k, env in envs.items()}
        for t in range(steps):
            action = np.asarray(policy(obs["state"], rng), dtype=np.float64)
            columns["state"].append(obs["state"])
            columns["keypoint"].append(obs["keypoints"].reshape(9, 2))
            columns["img"].append(obs["pixels"])
            columns["action"].append(action)
            results = {k: env.step(action) for k, env in envs.items()}
            obs = {k: r[0] for k, r in results.items()}
            _, reward, terminated, truncated, info = results["state"]
            columns["reward"].append(reward)
            columns["terminated"].append(terminated)
            columns["truncated"].append(truncated or t == steps - 1)
            columns["n_contacts"].append(info["n_contacts"])
            if terminated:
                break
        ends.append(len(columns["action"]))
    for env in envs.values():
        env.close()
    return PushTEpisodes(
        state=np.array(columns["state"]),
        keypoint=np.array(columns["keypoint"]),
        img=np.array(columns["img"], dtype=np.uint8),
        action=np.array(columns["action"]),
        reward=np.array(columns["reward"]),
        terminated=np.array(columns["terminated"], dtype=bool),
        truncated=np.array(columns["truncated"], dtype=bool),
        n_contacts=np.array(columns["n_contacts"], dtype=np.int64),
        episode_ends=np.array(ends, dtype=np.int64),
        seeds=np.arange(seed, seed + episodes, dtype=np.int64),
    )


# Diffusion Policy


def write_diffusion_policy_zarr(episodes: PushTEpisodes, path: str | Path) -> Path:
    """Diffusion Policy's PushT replay buffer (`pusht_cchi_v7_replay.zarr`'s layout, zarr format 2): `data/state`
    (F, 5), `data/keypoint` (F, 9, 2), `data/action` (F, 2), `data/img` (F, 96, 96, 3), `data/n_contacts` (F, 1), all
    float32 as in that file, and `meta/episode_ends` (E,) int64."""
    import zarr

    path = Path(path)
    root = zarr.open_group(str(path), mode="w", zarr_format=2)
    data, meta = root.create_group("data"), root.create_group("meta")
    arrays = {
        "state": episodes.state,
        "keypoint": episodes.keypoint,
        "action": episodes.action,
        "img": episodes.img,
        "n_contacts": episodes.n_contacts[:, None],
    }
    for name, values in arrays.items():
        values = np.asarray(values, dtype=np.float32)
        chunks = (min(len(values), 100 if name == "img" else 10_000), *values.shape[1:])
        array = data.create_array(name, shape=values.shape, dtype=np.float32, chunks=chunks)
        array[...] = values
    ends = meta.create_array("episode_ends", shape=episodes.episode_ends.shape, dtype=np.int64, chunks=episodes.episode_ends.shape)
    ends[...] = episodes.episode_ends
    return path


# LeRobot v3.0


def png(image: np.ndarray) -> bytes:
    """An RGB uint8 image (H, W, 3) as PNG bytes (8-bit truecolour, no filter)."""
    height, width, _ = image.shape
    raw = b"".join(b"\x00" + image[y].tobytes() for y in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def _stats(values: np.ndarray) -> dict:
    values = values.astype(np.float64)
    return {
        "min": values.min(axis=0).tolist(),
        "max": values.max(axis=0).tolist(),
        "mean": values.mean(axis=0).tolist(),
        "std": values.std(axis=0).tolist(),
        "count": [len(values)],
    }


def write_lerobot(episodes: PushTEpisodes, root: str | Path, repo_id: str = "ewm-sim/pusht", task: str = TASK) -> Path:
    """A LeRobot dataset v3.0 at `root`, shaped like lerobot/pusht: `observation.image` (PNG images),
    `observation.state` (agent x, y), `observation.environment_state` (the T's 8 corners), `action`, `next.reward`,
    `next.done`, `next.success`, and the index columns; one data file, one episodes file, tasks and stats."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = Path(root)
    (root / "data" / "chunk-000").mkdir(parents=True, exist_ok=True)
    (root / "meta" / "episodes" / "chunk-000").mkdir(parents=True, exist_ok=True)
    f = episodes.frames
    episode_index = episodes.episode_index
    frame_index = episodes.frame_index
    agent = episodes.state[:, :2].astype(np.float32)
    corners = episodes.keypoint[:, :8, :].reshape(f, 16).astype(np.float32)
    action = episodes.action.astype(np.float32)
    done = episodes.terminated | episodes.truncated

    def vectors(values: np.ndarray) -> pa.Array:
        return pa.FixedSizeListArray.from_arrays(pa.array(values.reshape(-1), type=pa.float32()), values.shape[1])

    images = pa.array(
        [{"bytes": png(episodes.img[i]), "path": f"frame_{i:06d}.png"} for i in range(f)],
        type=pa.struct([("bytes", pa.binary()), ("path", pa.string())]),
    )
    table = pa.table(
        {
            "observation.image": images,
            "observation.state": vectors(agent),
            "observation.environment_state": vectors(corners),
            "action": vectors(action),
            "next.reward": pa.array(episodes.reward.astype(np.float32)),
            "next.done": pa.array(done),
            "next.success": pa.array(episodes.terminated),
            "timestamp": pa.array((frame_index / FPS).astype(np.float32)),
            "frame_index": pa.array(frame_index.astype(np.int64)),
            "episode_index": pa.array(episode_index.astype(np.int64)),
            "index": pa.array(np.arange(f, dtype=np.int64)),
            "task_index": pa.array(np.zeros(f, dtype=np.int64)),
        }
    )
    pq.write_table(table, root / "data" / "chunk-000" / "file-000.parquet")

    starts = np.concatenate([[0], episodes.episode_ends[:-1]])
    count = len(episodes.episode_ends)
    pq.write_table(
        pa.table(
            {
                "episode_index": pa.array(np.arange(count, dtype=np.int64)),
                "tasks": pa.array([[task]] * count, type=pa.list_(pa.string())),
                "length": pa.array((episodes.episode_ends - starts).astype(np.int64)),
                "data/chunk_index": pa.array(np.zeros(count, dtype=np.int64)),
                "data/file_index": pa.array(np.zeros(count, dtype=np.int64)),
                "dataset_from_index": pa.array(starts.astype(np.int64)),
                "dataset_to_index": pa.array(episodes.episode_ends.astype(np.int64)),
                "meta/episodes/chunk_index": pa.array(np.zeros(count, dtype=np.int64)),
                "meta/episodes/file_index": pa.array(np.zeros(count, dtype=np.int64)),
                "seed": pa.array(episodes.seeds.astype(np.int64)),
            }
        ),
        root / "meta" / "episodes" / "chunk-000" / "file-000.parquet",
    )

    # Tasks: the task string is the (pandas) index, `task_index` the column, as LeRobot writes them.
    pandas_metadata = {
        "index_columns": ["task"],
        "column_indexes": [],
        "columns": [
            {"name": "task_index", "field_name": "task_index", "pandas_type": "int64", "numpy_type": "int64", "metadata": None},
            {"name": "task", "field_name": "task", "pandas_type": "unicode", "numpy_type": "object", "metadata": None},
        ],
        "creator": {"library": "ewm_sim", "version": "0.1.0"},
        "pandas_version": "2.2.0",
    }
    tasks = pa.table({"task_index": pa.array([0], type=pa.int64()), "task": pa.array([task])})
    pq.write_table(tasks.replace_schema_metadata({b"pandas": json.dumps(pandas_metadata).encode()}), root / "meta" / "tasks.parquet")

    scalar = {"dtype": "float32", "shape": [1], "names": None}
    features = {
        "observation.image": {"dtype": "image", "shape": [96, 96, 3], "names": ["height", "width", "channel"]},
        "observation.state": {"dtype": "float32", "shape": [2], "names": {"motors": ["x", "y"]}},
        "observation.environment_state": {"dtype": "float32", "shape": [16], "names": None},
        "action": {"dtype": "float32", "shape": [2], "names": {"motors": ["x", "y"]}},
        "next.reward": scalar,
        "next.done": {"dtype": "bool", "shape": [1], "names": None},
        "next.success": {"dtype": "bool", "shape": [1], "names": None},
        "timestamp": scalar,
        "frame_index": {"dtype": "int64", "shape": [1], "names": None},
        "episode_index": {"dtype": "int64", "shape": [1], "names": None},
        "index": {"dtype": "int64", "shape": [1], "names": None},
        "task_index": {"dtype": "int64", "shape": [1], "names": None},
    }
    info = {
        "codebase_version": "v3.0",
        "robot_type": None,
        "total_episodes": count,
        "total_frames": int(f),
        "total_tasks": 1,
        "chunks_size": 1000,
        "data_files_size_in_mb": 100,
        "video_files_size_in_mb": 200,
        "fps": FPS,
        "splits": {"train": f"0:{count}"},
        "data_path": "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
        "video_path": None,
        "features": features,
        "repo_id": repo_id,
    }
    (root / "meta" / "info.json").write_text(json.dumps(info, indent=4))
    image_stats = {
        k: np.asarray(v).reshape(3, 1, 1).tolist()
        for k, v in _stats(episodes.img.reshape(-1, 3).astype(np.float64) / 255).items()
        if k != "count"
    }
    image_stats["count"] = [int(f)]
    stats = {
        "observation.image": image_stats,
        "observation.state": _stats(agent),
        "observation.environment_state": _stats(corners),
        "action": _stats(action),
        "next.reward": _stats(episodes.reward[:, None]),
        "timestamp": _stats((frame_index / FPS)[:, None]),
        "frame_index": _stats(frame_index[:, None]),
        "episode_index": _stats(episode_index[:, None]),
        "index": _stats(np.arange(f)[:, None]),
        "task_index": _stats(np.zeros((f, 1))),
    }
    (root / "meta" / "stats.json").write_text(json.dumps(stats, indent=4))
    return root
