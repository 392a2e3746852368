"""The parity report: a JSON document and a short console summary."""
from __future__ import annotations

import json
import os
from pathlib import Path

from .compare import Thresholds
from .compare3d import View3DThresholds


def build(results: dict, skipped: dict, thresholds: Thresholds, config: dict) -> dict:
    """`results`: task -> TaskResult.to_json(); `skipped`: task -> reason."""
    tasks = dict(results)
    for name, reason in skipped.items():
        tasks[name] = {"task": name, "status": "skipped", "reason": reason}
    failed = sorted(n for n, r in results.items() if r["status"] == "fail")
    return {"format": 1, "passed": not failed, "failed_tasks": failed,
            "thresholds": {**thresholds.__dict__, "states": "identical", "hit_maps": "identical",
                           # tasks declaring a 3-D view: pixels above apply outside it, these inside
                           "view_3d": {"iou_min": View3DThresholds.iou, "colour_mean_max": View3DThresholds.colour_mean,
                                       "iou_floor_pixels": View3DThresholds.floor_pixels}},
            "config": config, "tasks": dict(sorted(tasks.items()))}


def write_json(report: dict, path: Path) -> None:
    """Write atomically (temporary name, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2))
    os.replace(tmp, path)


def summary(report: dict, max_failures: int = 10) -> str:
    lines = []
    for name, r in report["tasks"].items():
        if r["status"] == "skipped":
            lines.append(f"{name}: skipped ({r['reason']})")
            continue
        p, v = r["pixels"], r.get("view_3d")
        scope = " (outside the 3-D view)" if v else ""
        lines.append(f"{name}: {r['status'].upper()}  {r['frames']} frames  pixels{scope}: mean {p['mean']:.4f} "
                     f"(worst step {p['worst_mean']:.4f}), >8 {p['pct_over_8']:.4f}%, >32 {p['pct_over_32']:.4f}%, "
                     f"max {p['max']}  states: {r['states']['mismatches']}/{r['states']['compared']} differ  "
                     f"hit maps: {r['hit_maps']['mismatches']}/{r['hit_maps']['points']} points differ")
        if v and v["frames"]:
            lines.append(f"  3-D view: {v['frames']} frames  silhouette IoU min {v['iou_min']:.4f}  colour mean "
                         f"{v['colour_mean']:.3f} (worst frame {v['colour_mean_max']:.3f}) levels")
        for f in r["failures"][:max_failures]:
            lines.append(f"  FAIL {f['where']}: {f['check']}: {f['message']}" + (f" [{f['image']}]" if "image" in f else ""))
        if len(r["failures"]) > max_failures:
            lines.append(f"  ... and {len(r['failures']) - max_failures} more failures (see the JSON report)")
    return "\n".join(lines)
