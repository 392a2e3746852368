"""Phase 3 of generation: the finished parts become the store's tables, attributes and summary.

Everything is written in a fixed order (tasks sorted, splits train/val/test,
shards ascending), so the bytes depend only on the parts, never on which worker
finished first. Re-running it over the same parts rewrites the same bytes
(a run killed while assembling simply assembles again).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import zarr

from .registry import get_task
from .store import (FORMAT, FORMAT_VERSION, HASH_SIZE, SPLITS, TAGS, annosim_version, categorical, field_column,
                    load_part, write_column)


class TaskParts:
    """All rollout parts of one task, concatenated in canonical order."""

    def __init__(self, task: str, parts: list[tuple[str, Path]]):
        self.task = task
        cols: dict[str, list] = {}
        fields: dict[str, list] = {}
        split_of: list[str] = []
        for split, path in parts:
            part = load_part(path)
            split_of += [split] * len(part["index"])
            for key, val in part.items():
                if key == "fields":
                    for name, col in val.items():
                        fields.setdefault(name, []).append(col)
                elif isinstance(val, np.ndarray):
                    cols.setdefault(key, []).append(val)       # per-step column: concatenated below
                else:
                    cols.setdefault(key, []).extend(val)       # per-episode list
        for key in ("action", "tag", "u", "v"):
            cols[key] = np.concatenate(cols[key]) if cols.get(key) else np.zeros(0)
        n_steps_each = [len(c) for c in next(iter(fields.values()), [])]
        if any(len(cs) != len(n_steps_each) for cs in fields.values()):
            raise ValueError(f"{task}: task_fields() returned different field names in different episodes")
        self.fields = {name: np.concatenate(cs) for name, cs in fields.items()}
        self.cols = cols
        self.split = split_of
        self.lengths = np.asarray(cols.get("length", []), np.int64)
        self.first_step = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64) \
            if len(self.lengths) else np.zeros(0, np.int64)
        self.n_steps = int(self.lengths.sum())

    def __len__(self) -> int:
        return len(self.lengths)

    def render_specs(self) -> list[tuple]:
        c = self.cols
        return list(zip(c["seed"], c["style"], c["theme"], c["layout"], c["clicks"]))

    def window(self) -> tuple[int, int] | None:
        windows = set(self.cols["window"])
        return next(iter(windows)) if len(windows) == 1 else None


def write_task(root: zarr.Group, tp: TaskParts, hashes: np.ndarray | None, frames: bool) -> dict:
    """The task's episodes and steps tables; returns the task group's attributes."""
    task, c = get_task(tp.task), tp.cols
    g = root.require_group(tp.task)
    ep = g.require_group("episodes")
    split_codes, _ = categorical(tp.split, SPLITS)
    style_codes, styles = categorical(c["style"])
    theme_codes, themes = categorical(c["theme"])
    layout_codes, layouts = categorical(c["layout"])
    win = np.asarray(c["window"], np.int32).reshape(-1, 2)
    columns = {
        "split": split_codes.astype(np.int8), "index": np.asarray(c["index"], np.int64),
        "seed": np.asarray(c["seed"], np.int64), "style": style_codes.astype(np.int8),
        "theme": theme_codes.astype(np.int8), "layout": layout_codes.astype(np.int8),
        "first_step": tp.first_step, "length": tp.lengths.astype(np.int32),
        "window_w": win[:, 0], "window_h": win[:, 1],
        "gt": np.array(c["gt"], dtype=object),
        "gt_digest": np.frombuffer(b"".join(c["gt_digest"]), np.uint8).reshape(-1, HASH_SIZE),
    }
    for name, data in columns.items():
        write_column(ep, name, data)
    metric_names = sorted({k for m in c["metrics"] for k in m})
    mg = ep.require_group("metrics")
    for name in metric_names:
        write_column(mg, name, np.array([m.get(name, np.nan) for m in c["metrics"]], np.float64))

    st = g.require_group("steps")
    clicks = np.concatenate(c["clicks"]) if c["clicks"] else np.zeros((0, 2))
    w = np.repeat(win[:, 0], tp.lengths).astype(np.float64)
    h = np.repeat(win[:, 1], tp.lengths).astype(np.float64)
    action_codes, actions = categorical(c["action"].tolist())
    tag_codes, _ = categorical(c["tag"].tolist(), TAGS)
    tags = c["tag"]
    steps = {
        "episode": np.repeat(np.arange(len(tp), dtype=np.int64), tp.lengths),
        "t": np.concatenate([np.arange(n, dtype=np.int32) for n in tp.lengths]) if len(tp) else np.zeros(0, np.int32),
        "x": clicks[:, 0].copy(), "y": clicks[:, 1].copy(),
        "x_norm": clicks[:, 0] / w if len(w) else w, "y_norm": clicks[:, 1] / h if len(h) else h,
        "u": np.asarray(c["u"], np.float64), "v": np.asarray(c["v"], np.float64),
        "action": action_codes, "tag": tag_codes.astype(np.int8),
        "is_mistake": tags == "mistake", "is_correction": tags == "correction",
    }
    if hashes is not None:
        steps["frame_hash"] = hashes
    for name, data in steps.items():
        write_column(st, name, np.asarray(data, bool) if name.startswith("is_") else data)
    fg = st.require_group("fields")
    field_desc = {}
    for name, col in sorted(tp.fields.items()):
        data, desc = field_column(col)
        write_column(fg, name, data)
        field_desc[name] = desc
    window = tp.window()
    attrs = {
        "task": tp.task, "title": task.TITLE, "pretrain": bool(task.PRETRAIN),
        "paper_length": list(task.PAPER_LENGTH), "primary": task.PRIMARY,
        "n_episodes": len(tp), "n_steps": tp.n_steps, "window": list(window) if window else None,
        "splits": list(SPLITS), "styles": styles, "themes": themes, "layouts": layouts,
        "actions": actions, "tags": list(TAGS), "metrics": metric_names, "fields": field_desc,
        "frames": bool(frames), "frame_hashes": hashes is not None,
    }
    g.attrs.put(attrs)
    return attrs


def summary_row(tp: TaskParts) -> dict:
    """Per-task figures for the end-of-run table and the store's attributes."""
    task, c = get_task(tp.task), tp.cols
    n = max(tp.n_steps, 1)
    mix = Counter(c["action"].tolist())
    tags = Counter(c["tag"].tolist())
    places = mix.get("place", 0)
    return {
        "episodes": len(tp), "steps": tp.n_steps,
        "mean_length": float(tp.lengths.mean()) if len(tp) else 0.0,
        "paper_length": list(task.PAPER_LENGTH),
        "action_mix": {k: round(v / n, 4) for k, v in sorted(mix.items())},
        "mistake_rate_steps": round(tags.get("mistake", 0) / n, 4),
        # the paper states mistake rates per placement (10–30 %)
        "mistake_rate_places": round(tags.get("mistake", 0) / places, 4) if places else 0.0,
        "primary_mean": float(np.mean([m.get("primary", np.nan) for m in c["metrics"]])) if len(tp) else 0.0,
    }


def write_root(root: zarr.Group, params: dict, tasks: dict, summary: dict, parity: dict | None) -> None:
    root.attrs.put({
        "format": FORMAT, "format_version": FORMAT_VERSION, "annosim_version": annosim_version(),
        "params": params, "tasks": sorted(tasks), "summary": summary, "parity": parity,
    })


def format_summary(summary: dict) -> str:
    head = f"{'task':<28}{'episodes':>9}{'steps':>10}{'mean len':>9}{'paper':>10}{'mistakes':>9}  action mix"
    lines = [head, "-" * len(head)]
    for name, row in summary.items():
        lo, hi = row["paper_length"]
        flag = "" if lo <= row["mean_length"] <= hi else " !"
        mix = " ".join(f"{k} {100 * v:.0f}%" for k, v in sorted(row["action_mix"].items(), key=lambda kv: -kv[1]))
        lines.append(f"{name:<28}{row['episodes']:>9}{row['steps']:>10}{row['mean_length']:>9.1f}"
                     f"{f'{lo}-{hi}':>10}{flag:<0}{100 * row['mistake_rate_places']:>8.1f}%  {mix}")
    lines.append("(mistakes: share of placements tagged 'mistake'; ! marks a mean length outside the paper's range)")
    return "\n".join(lines)
