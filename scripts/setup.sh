#!/usr/bin/env bash
# Installs what annosim needs on a fresh Debian machine (run as root) into ./.venv.
# Idempotent: a second run checks and returns quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chromium for the HTML twins (Playwright cannot download
# browsers here), the fonts, and EGL/Mesa for pyrender's offscreen rendering.
APT_PKGS="chromium fonts-dejavu-core libegl1 libegl-mesa0 libgl1-mesa-dri"
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "setup: apt-get install$missing"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
stamp=.venv/.annosim-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  # torch first and pinned: a bare torch requirement would pull a multi-GB CUDA build.
  .venv/bin/pip install -q torch==2.13.0
  .venv/bin/pip install -q -e ".[model,parity,test]"
  touch "$stamp"
fi

# Three.js for the 3D Exploration twin: npm's tarball, pinned and sha512-checked, never committed
# (playwright_parity/vendor.py holds the version; a second run finds the files and returns).
python3 playwright_parity/vendor.py
