"""Themes: colours, radii and font sizes shared by every task GUI.

The default is the dark theme of the paper's GUIs. `light` and `retro` are the
alternative looks of the UI-layout study (paper C.6); the panel position is a
layout choice made by `widgets.layouts.window`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Theme:
    name: str = "dark"
    window_bg: str = "#1e1e1e"
    panel_bg: str = "#252526"
    text: str = "#e0e0e0"
    text_dim: str = "#9a9a9a"
    title: str = "#ffffff"
    button_bg: str = "#3a3d41"
    button_border: str = "#5a5d61"
    button_text: str = "#f0f0f0"
    button_active_bg: str = "#0e639c"
    button_active_border: str = "#3794ff"
    button_disabled_bg: str = "#2a2a2a"
    button_disabled_text: str = "#6a6a6a"
    status_bg: str = "#007acc"
    status_text: str = "#ffffff"
    canvas_border: str = "#444444"
    accent: str = "#3794ff"
    radius: int = 4
    border_width: int = 1
    font_size: int = 13
    title_size: int = 15
    small_size: int = 11
    button_height: int = 28
    gap: int = 6
    padding: int = 12


DARK = Theme()
LIGHT = replace(
    DARK, name="light", window_bg="#f3f3f3", panel_bg="#e8e8e8", text="#202020", text_dim="#606060",
    title="#000000", button_bg="#ffffff", button_border="#b0b0b0", button_text="#202020",
    button_active_bg="#cce4ff", button_active_border="#0066cc", button_disabled_bg="#eeeeee",
    button_disabled_text="#a0a0a0", status_bg="#dddddd", status_text="#202020", canvas_border="#999999",
    accent="#0066cc",
)
RETRO = replace(
    DARK, name="retro", window_bg="#000080", panel_bg="#0000a8", text="#ffff55", text_dim="#55ffff",
    title="#ffffff", button_bg="#c0c0c0", button_border="#ffffff", button_text="#000000",
    button_active_bg="#55ff55", button_active_border="#ffffff", button_disabled_bg="#808080",
    button_disabled_text="#404040", status_bg="#00aaaa", status_text="#000000", canvas_border="#ffffff",
    accent="#ff55ff", radius=0, border_width=2,
)
THEMES = {t.name: t for t in (DARK, LIGHT, RETRO)}


def get_theme(theme: "Theme | str | None") -> Theme:
    if theme is None:
        return DARK
    if isinstance(theme, Theme):
        return theme
    if theme not in THEMES:
        raise ValueError(f"theme: unknown theme {theme!r}; known: {sorted(THEMES)}")
    return THEMES[theme]
