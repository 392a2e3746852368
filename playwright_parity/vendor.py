"""Third-party JavaScript the twins load, pinned here and nowhere else: fetched by set-up, never committed.

`scripts/setup.sh` runs this file with the system python3 (standard library
only, so it works before the venv exists):

    python3 playwright_parity/vendor.py          # fetch what is missing, verify, extract
    python3 playwright_parity/vendor.py --check  # exit 1 with the missing files listed

Each package is npm's tarball from the registry, checked against npm's
`integrity` (sha512) before anything is extracted; only the files a page
imports are kept, under `web/vendor/<name>/` (git-ignored). The harness calls
`missing()` before opening a twin that refers to `vendor/`, so a machine that
skipped set-up gets one clear message instead of a page that never registers.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "web" / "vendor"

# name -> (version, tarball URL, npm integrity, {path in the package: path under vendor/<name>/})
PACKAGES = {
    "three": (
        "0.170.0",
        "https://registry.npmjs.org/three/-/three-0.170.0.tgz",
        "sha512-FQK+LEpYc0fBD+J8g6oSEyyNzjp+Q7Ks1C568WWaoMRLW+TkNNWmenWeGgJjV105Gd+p/2ql1ZcjYvNiPZBhuQ==",
        # 0.170's ES module build is one self-contained file (the core chunk split came later)
        {"build/three.module.min.js": "three.module.min.js", "LICENSE": "LICENSE"},
    ),
}
SETUP_HINT = "run scripts/setup.sh (or python3 playwright_parity/vendor.py)"


class VendorError(RuntimeError):
    pass


def files(name: str) -> list[Path]:
    return [VENDOR / name / dest for dest in PACKAGES[name][3].values()]


def stamp(name: str) -> Path:
    return VENDOR / name / ".version"


def missing(names=None) -> list[str]:
    """'name version (folder)' for each pinned package with a file absent or from another version."""
    out = []
    for name in names or PACKAGES:
        version = PACKAGES[name][0]
        have = stamp(name).read_text().strip() if stamp(name).exists() else None
        if have != version or not all(p.exists() for p in files(name)):
            out.append(f"{name} {version} ({VENDOR / name})")
    return out


def check_integrity(blob: bytes, integrity: str) -> None:
    algo, _, want = integrity.partition("-")
    if algo != "sha512":
        raise VendorError(f"integrity: expected a sha512-... string, got {integrity[:20]!r}")
    got = base64.b64encode(hashlib.sha512(blob).digest()).decode("ascii")
    if got != want:
        raise VendorError(f"integrity mismatch: expected sha512-{want}, the download has sha512-{got}")


def extract(name: str, blob: bytes) -> None:
    """Write the pinned files of a verified tarball (atomically: temporary name, then rename)."""
    version, _, _, wanted = PACKAGES[name]
    dest = VENDOR / name
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for src, rel in wanted.items():
            try:
                member = tar.getmember(f"package/{src}")
            except KeyError:
                raise VendorError(f"{name} {version}: the tarball has no package/{src}") from None
            data = tar.extractfile(member).read()
            tmp = dest / (rel + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, dest / rel)
    stamp(name).write_text(version + "\n")


def fetch(name: str, timeout: float = 60.0) -> None:
    version, url, integrity, _ = PACKAGES[name]
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            blob = resp.read()
    except OSError as exc:
        raise VendorError(f"{name} {version}: could not download {url}: {exc}") from None
    check_integrity(blob, integrity)
    extract(name, blob)


def main(argv: list[str]) -> int:
    if argv not in ([], ["--check"]):
        print("usage: python3 playwright_parity/vendor.py [--check]", file=sys.stderr)
        return 2
    todo = [m.split(" ", 1)[0] for m in missing()]
    if argv == ["--check"]:
        for m in missing():
            print(f"missing {m}", file=sys.stderr)
        return 1 if todo else 0
    for name in todo:
        print(f"setup: fetching {name} {PACKAGES[name][0]} from the npm registry")
        try:
            fetch(name)
        except VendorError as exc:
            print(f"vendor: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
