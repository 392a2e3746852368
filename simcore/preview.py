"""`python -m simcore.preview`: look at an annotator episode.

Writes `<out>/<task>_seed<S>.png`, a contact sheet of the episode's frames
with each click drawn (red: mistakes, yellow: corrections, cyan otherwise),
and `<out>/<task>_seed<S>.gif`, the whole episode.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tyro
from PIL import Image, ImageDraw

from .episode import Episode, render_episode, rollout
from widgets import action_kind

TAG_COLORS = {"mistake": (255, 60, 60), "correction": (255, 220, 0)}


@dataclass
class Args:
    task: str = "colored_dot_tracking"
    """registered task name (see `simcore.task_names()`)"""
    seed: int = 0
    """episode seed (the instance and the annotator's choices follow from it)"""
    style: str = "default"
    """annotator style"""
    out: Path = Path("out/preview")
    """output folder"""
    tiles: int = 24
    """frames on the contact sheet (evenly spaced, always including the first and last)"""
    columns: int = 6
    """contact-sheet columns"""
    gif_ms: int = 120
    """milliseconds per GIF frame"""
    theme: str = "dark"
    """GUI theme (dark, light, retro)"""
    layout: str = "right"
    """control panel position (right, left)"""


def draw_click(img: Image.Image, x: float, y: float, tag: str) -> None:
    d = ImageDraw.Draw(img)
    c = TAG_COLORS.get(tag, (0, 230, 255))
    d.ellipse([x - 7, y - 7, x + 7, y + 7], outline=c, width=2)
    d.line([x - 11, y, x - 4, y], fill=c, width=1)
    d.line([x + 4, y, x + 11, y], fill=c, width=1)


def annotated_frames(ep: Episode, frames: np.ndarray) -> list[Image.Image]:
    out = []
    for t, ((x, y), action) in enumerate(zip(ep.clicks, ep.actions)):
        img = Image.fromarray(frames[t])
        draw_click(img, x, y, action.tag)
        label = f"{t}: {action_kind(action)}" + (f" ({action.tag})" if action.tag else "")
        ImageDraw.Draw(img).text((4, img.height - 14), label, fill=(255, 255, 255))
        out.append(img)
    return out


def contact_sheet(images: list[Image.Image], tiles: int, columns: int, scale: float = 0.5) -> Image.Image:
    idx = np.unique(np.linspace(0, len(images) - 1, min(tiles, len(images))).round().astype(int))
    w, h = int(images[0].width * scale), int(images[0].height * scale)
    rows = -(-len(idx) // columns)
    sheet = Image.new("RGB", (columns * (w + 4) + 4, rows * (h + 4) + 4), (10, 10, 10))
    for k, i in enumerate(idx):
        sheet.paste(images[i].resize((w, h), Image.LANCZOS), (4 + (k % columns) * (w + 4), 4 + (k // columns) * (h + 4)))
    return sheet


def main(args: Args) -> dict:
    ep = rollout(args.task, args.seed, args.style, args.theme, args.layout)
    images = annotated_frames(ep, render_episode(ep))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{ep.task}_seed{args.seed}"
    contact_sheet(images, args.tiles, args.columns).save(f"{stem}.png")
    images[0].save(f"{stem}.gif", save_all=True, append_images=images[1:], duration=args.gif_ms, loop=0)
    summary = {"task": ep.task, "seed": ep.seed, "steps": len(ep), "metrics": ep.metrics,
               "sheet": f"{stem}.png", "gif": f"{stem}.gif"}
    print(json.dumps(summary, indent=1, default=float))
    return summary


if __name__ == "__main__":
    main(tyro.cli(Args))
