"""Atomic checkpoint files and policy loading with errors that name what is wrong."""
from __future__ import annotations

import os
from pathlib import Path

import torch

from model.config import PolicyConfig
from model.policy import Policy


def save_checkpoint(path: Path | str, obj: dict) -> None:
    """torch.save to a temporary name in the same folder, fsync, then rename: never half-written."""
    path = Path(path)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: Path | str, map_location="cpu") -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    # weights_only=False: our own files hold optimiser state and RNG tensors; never load foreign ones.
    ck = torch.load(path, map_location=map_location, weights_only=False)
    for key in ("model", "model_config"):
        if key not in ck:
            raise KeyError(f"{path} is not a model.train checkpoint (no {key!r} entry)")
    return ck


def load_policy(path: Path | str, map_location="cpu") -> Policy:
    """A Policy with the checkpoint's config and weights; shape mismatches name the key."""
    ck = load_checkpoint(path, map_location)
    model = Policy(PolicyConfig.from_dict(ck["model_config"]))
    own = model.state_dict()
    for k, v in ck["model"].items():
        if k in own and own[k].shape != v.shape:
            raise ValueError(f"{path}: key {k!r} has shape {tuple(v.shape)}, model expects {tuple(own[k].shape)}")
    model.load_state_dict(ck["model"])
    return model.to(map_location)
