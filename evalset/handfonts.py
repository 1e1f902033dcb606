"""Handwriting-style fonts with Vietnamese glyphs, from npm's `@fontsource/*` packages.

The fonts are fetched with `npm pack` into a cache outside the repository (never
committed): `python -m evalset.handfonts [DIR]`, which `./dev.sh test` and `./dev.sh
bench` run. The cache defaults to `$SOHOA_FONT_CACHE` or `~/.cache/sohoa/fonts`.

Fontsource splits each family into unicode-range subsets (`latin`, `latin-ext`,
`vietnamese`); a Vietnamese word needs glyphs from two of them ("ộ" from `vietnamese`,
"n" from `latin`), so a `HandFont` picks each character's file from the package's own
`unicode.json`. Caveat is not used: its fontsource package has no Vietnamese subset.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from PIL import ImageFont

# Pinned: the same seed must draw the same glyphs next year.
PACKAGES: dict[str, str] = {
    "patrick-hand": "5.3.0",
    "dancing-script": "5.3.0",
    "sriracha": "5.3.0",
    "itim": "5.3.0",
    "playpen-sans": "5.3.0",
}
SUBSETS = ("vietnamese", "latin", "latin-ext")


def default_cache() -> Path:
    env = os.environ.get("SOHOA_FONT_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "sohoa" / "fonts"


def _family_dir(cache: Path, family: str) -> Path:
    return cache / f"{family}-{PACKAGES[family]}"


def missing(cache: Path) -> list[str]:
    return [f for f in PACKAGES if not (_family_dir(cache, f) / "unicode.json").exists()]


def fetch(cache: Path) -> list[str]:
    """`npm pack` each missing family into `cache` and keep its regular-weight WOFF files,
    `unicode.json` and `LICENSE` (SIL OFL 1.1). Returns the families fetched."""
    npm = shutil.which("npm")
    todo = missing(cache)
    if todo and npm is None:
        raise RuntimeError("npm is not installed (apt-get install npm): it fetches the "
                           "handwriting fonts")
    cache.mkdir(parents=True, exist_ok=True)
    for family in todo:
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            subprocess.run([str(npm), "pack", f"@fontsource/{family}@{PACKAGES[family]}",
                            "--silent"], cwd=tmp, check=True, capture_output=True, timeout=300)
            (tgz,) = Path(tmp).glob("*.tgz")
            dest = Path(tmp) / "out"
            dest.mkdir()
            with tarfile.open(tgz) as tar:
                for m in tar.getmembers():
                    name = Path(m.name).name
                    keep = name in ("unicode.json", "LICENSE") or any(
                        name == f"{family}-{s}-400-normal.woff" for s in SUBSETS)
                    f = tar.extractfile(m) if keep and m.isfile() else None
                    if f is not None:
                        (dest / name).write_bytes(f.read())
            final = _family_dir(cache, family)
            if final.exists():
                shutil.rmtree(final)
            dest.rename(final)  # whole or absent: an interrupted fetch is redone
    return todo


def _ranges(spec: str) -> list[tuple[int, int]]:
    out = []
    for part in spec.split(","):
        part = part.strip().removeprefix("U+")
        lo, _, hi = part.partition("-")
        out.append((int(lo, 16), int(hi or lo, 16)))
    return out


class HandFont:
    """One family at one size: the font file holding each character."""

    def __init__(self, cache: Path, family: str, size_px: int):
        self.family = family
        self.size_px = size_px
        d = _family_dir(cache, family)
        ranges = json.loads((d / "unicode.json").read_text(encoding="utf-8"))
        self._subsets = [(_ranges(ranges[s]), _load(str(d / f"{family}-{s}-400-normal.woff"),
                                                    size_px))
                         for s in SUBSETS if s in ranges]

    def for_char(self, ch: str) -> ImageFont.FreeTypeFont:
        cp = ord(ch)
        for ranges, f in self._subsets:
            if any(lo <= cp <= hi for lo, hi in ranges):
                return f
        raise ValueError(f"{self.family} has no glyph for {ch!r}")


@functools.cache
def _load(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px)


@functools.cache
def hand_font(cache: Path, family: str, size_px: int) -> HandFont:
    return HandFont(cache, family, size_px)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cache = Path(args[0]) if args else default_cache()
    got = fetch(cache)
    print(f"handwriting fonts in {cache}" + (f" (fetched {', '.join(got)})" if got else ""),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
