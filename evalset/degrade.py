"""Turn a clean 300-dpi rendering into the file a scanner, copier, fax or phone made.

Two profiles. `easy`: scans a person reads at a glance, produced with Pillow/numpy (other
resolutions, blur, paper tint, skew, thresholding, JPEG, turned pages, four containers).
`hard`: the third-party `augraphy` library's document augmentations, one named class per
page, so that the damage is not of our own making.

Every function takes an explicit `random.Random`; augraphy draws from the global
`random` and `numpy.random` state, OpenCV's, and — inside its numba-compiled functions —
numba's own generator, so all four are seeded from it right before each augraphy call:
that keeps a page's bytes a function of its seed alone.
"""

from __future__ import annotations

import functools
import random
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

EASY_CLASSES: tuple[str, ...] = ("clean", "blur_yellow_skew", "bilevel", "jpeg", "turned", "skew")
HARD_CLASSES: tuple[str, ...] = ("ink_bleed", "low_ink", "dirty_drum", "photocopy",
                                 "photocopy_noisy_top", "folds", "shadow", "old_paper", "fax",
                                 "photo")
PROFILE_OF: dict[str, str] = {**{c: "easy" for c in EASY_CLASSES},
                              **{c: "hard" for c in HARD_CLASSES}}

# PDF dates are fixed: Pillow would otherwise stamp the wall clock and break byte equality.
_PDF_DATE = time.struct_time((2026, 1, 1, 0, 0, 0, 3, 1, 0))


@dataclass
class Scan:
    """The degraded pages of one file and how they were made."""

    pages: list[Image.Image]
    dpi: int
    mode: str  # "gray" | "bilevel" | "colour"
    degradation: str
    format: str  # "png" | "jpeg" | "tiff" | "pdf"
    turn: int = 0
    skew: float = 0.0
    jpeg_quality: int | None = None
    dpi_metadata: bool = True
    blank_back: bool = False


# ----------------------------------------------------------------------------- helpers


def resample(im: Image.Image, dpi: int, src_dpi: int = 300) -> Image.Image:
    if dpi == src_dpi:
        return im
    w, h = im.size
    return im.resize((round(w * dpi / src_dpi), round(h * dpi / src_dpi)),
                     Image.Resampling.LANCZOS)


def skewed(im: Image.Image, angle: float, fill: tuple[int, int, int] | int) -> Image.Image:
    """Rotate the content by `angle` degrees (positive: counter-clockwise) inside the same
    frame, as a page lying crooked on the scanner glass."""
    if abs(angle) < 1e-3:
        return im
    return im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)


def turned(im: Image.Image, turn: int) -> Image.Image:
    """`turn` degrees clockwise: the file shows the page rotated that far."""
    if turn == 0:
        return im
    return im.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                         270: Image.Transpose.ROTATE_90}[turn])


def tint(im: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """Multiply white paper by a colour (ink stays dark)."""
    # Per-channel point operation: cheaper than float arithmetic on 26 million values.
    bands = [b.point([v * c // 255 for v in range(256)]) for b, c in
             zip(im.convert("RGB").split(), colour, strict=True)]
    return Image.merge("RGB", bands)


def noise_field(rng: random.Random, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Per-pixel Gaussian sensor noise (int16). Drawn as a 1024-pixel tile repeated from a
    random offset: drawing 26 million normals per A4 page costs seconds, and a repeat
    period of 3.5 inches is invisible to OCR and to the eye."""
    n = np.random.default_rng(rng.randrange(2**32))
    tile = np.round(n.standard_normal((1024, 1024), dtype=np.float32) * sigma).astype(np.int16)
    h, w = shape
    oy, ox = rng.randrange(1024), rng.randrange(1024)
    reps = (-(-(h + oy) // 1024), -(-(w + ox) // 1024))
    return np.tile(tile, reps)[oy:oy + h, ox:ox + w]


def noisy(im: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    a = np.asarray(im).astype(np.int16)
    f = noise_field(rng, a.shape[:2], sigma)
    a += f[:, :, None] if a.ndim == 3 else f
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def threshold(im: Image.Image, rng: random.Random, level: int, noise: float) -> Image.Image:
    """Bilevel as a cheap scanner makes it: noise before a fixed threshold, plus specks."""
    g = np.asarray(noisy(im.convert("L"), rng, noise), dtype=np.uint8)
    out = g > level
    n = np.random.default_rng(rng.randrange(2**32))
    specks = n.random(out.shape, dtype=np.float32) < rng.uniform(0.0002, 0.001)
    out[specks] = ~out[specks]
    return Image.fromarray(out).convert("1")


def blank_like(im: Image.Image, rng: random.Random) -> Image.Image:
    """The scanned empty back side: paper colour, faint noise."""
    base = Image.new(im.mode if im.mode != "1" else "L", im.size,
                     250 if im.mode in ("L", "1") else (250, 248, 240))
    back = noisy(base, rng, 2.0)
    return back.convert("1") if im.mode == "1" else back


@functools.cache
def _numba_seeder() -> Callable[[int], None]:
    """A compiled function that seeds numba's generators. Code compiled by numba draws
    `random.*` and `np.random.*` from numba's own state (per thread, seeded from OS
    entropy at start-up), which `random.seed` / `np.random.seed` called from Python do not
    touch: only a seed call inside compiled code does. Augraphy's Worley noise
    (`NoiseGenerator.generate_worley_noise`, which `BadPhotoCopy` picks at random for
    noise types above 5) draws its cell centres there, so without this such a photocopy
    had different pixels in every process (draw 9931 e0011). Compiled once per process
    (~0.5 s CPU; not cached, which would write numba's cache files beside the source),
    only by the hard profile (numba is heavy)."""
    import numba  # heavy: augraphy's dependency, only the hard profile loads it

    @numba.njit(cache=False)
    def seed(s: int) -> None:
        random.seed(s)
        np.random.seed(s)

    return seed


def _seed_global(rng: random.Random) -> None:
    # One draw seeds every generator (adding draws would move every later value of the
    # page's stream and so the bytes of pages that were already reproducible).
    s = rng.randrange(2**31)
    random.seed(s)
    np.random.seed(s)
    try:
        import cv2  # heavy: only the hard profile loads it

        cv2.setRNGSeed(s)
    except ImportError:  # pragma: no cover - augraphy requires OpenCV anyway
        pass
    # Seeds the calling thread's numba state, where the draws of augraphy's compiled code
    # outside its parallel loops happen (Worley noise's points); draws inside a `prange`
    # loop use the worker threads' states, which this does not reach: see `hard_folds`.
    _numba_seeder()(s)


def _aug(rng: random.Random, aug: Any, img: np.ndarray) -> np.ndarray:
    _seed_global(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = aug(img, force=True)
    if isinstance(out, tuple):
        out = out[0]
    return np.asarray(out)


def _bgr(im: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(im.convert("RGB"))[:, :, ::-1])


def _pil(a: np.ndarray) -> Image.Image:
    if a.ndim == 2:
        return Image.fromarray(a)
    if a.shape[2] == 4:
        a = a[:, :, :3]
    return Image.fromarray(np.ascontiguousarray(a[:, :, ::-1]))


# ----------------------------------------------------------------------------- easy


def easy_clean(im: Image.Image, rng: random.Random) -> Scan:
    return Scan([im], 300, "colour", "clean", "png")


def easy_blur_yellow_skew(im: Image.Image, rng: random.Random) -> Scan:
    # The class our OCR failed worst on: a 200-dpi grey JPEG inside a PDF, slightly
    # blurred, on yellowish paper, about two degrees crooked.
    paper = (rng.randrange(245, 256), rng.randrange(232, 244), rng.randrange(190, 215))
    page = tint(resample(im, 200), paper)
    angle = rng.choice((-1, 1)) * rng.uniform(1.5, 2.5)
    page = skewed(page, angle, paper)
    page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.0))).convert("L")
    q = rng.randrange(60, 86)
    return Scan([page], 200, "gray", "blur_yellow_skew", "pdf", skew=angle, jpeg_quality=q)


def easy_bilevel(im: Image.Image, rng: random.Random) -> Scan:
    angle = rng.uniform(-1.5, 1.5)
    page = skewed(im.convert("L"), angle, 255)
    page = threshold(page, rng, rng.randrange(140, 185), rng.uniform(8, 22))
    fmt = rng.choice(("tiff", "tiff", "pdf", "png"))
    return Scan([page], 300, "bilevel", "bilevel", fmt, skew=angle,
                blank_back=fmt in ("tiff", "pdf") and rng.random() < 0.25)


def easy_jpeg(im: Image.Image, rng: random.Random) -> Scan:
    dpi = rng.choice((200, 300))
    angle = rng.uniform(-1.0, 1.0)
    paper = (rng.randrange(240, 256), rng.randrange(240, 256), rng.randrange(232, 256))
    page = skewed(tint(resample(im, dpi), paper), angle, paper)
    page = noisy(page, rng, rng.uniform(1, 4))
    return Scan([page], dpi, "colour", "jpeg", "jpeg", skew=angle,
                jpeg_quality=rng.randrange(30, 91))


def easy_turned(im: Image.Image, rng: random.Random) -> Scan:
    turn = rng.choice((90, 180, 270))
    angle = rng.uniform(-1.0, 1.0)
    gray = rng.random() < 0.6
    page = skewed(im.convert("L") if gray else im, angle, 255 if gray else (255, 255, 255))
    fmt = rng.choice(("pdf", "png"))
    return Scan([turned(page, turn)], 300, "gray" if gray else "colour", "turned", fmt,
                turn=turn, skew=angle, jpeg_quality=85 if fmt == "pdf" else None)


def easy_skew(im: Image.Image, rng: random.Random) -> Scan:
    angle = rng.choice((-1, 1)) * rng.uniform(2.5, 5.0)
    dpi = rng.choice((200, 300))
    page = skewed(resample(im, dpi).convert("L"), angle, rng.randrange(235, 256))
    fmt = rng.choice(("pdf", "png", "tiff"))
    return Scan([page], dpi, "gray", "skew", fmt, skew=angle,
                jpeg_quality=rng.randrange(70, 92) if fmt == "pdf" else None,
                blank_back=fmt != "png" and rng.random() < 0.3)


# ----------------------------------------------------------------------------- hard
# Augraphy runs on 200-dpi pages (about 1654 x 2339): at 300 dpi its slower effects take
# several seconds a page; 200 dpi is also what copiers and archive scanners commonly use.


def _hard_base(im: Image.Image, dpi: int = 200) -> np.ndarray:
    return _bgr(resample(im, dpi))


def _gray_out(a: np.ndarray) -> Image.Image:
    return _pil(a).convert("L")


def hard_ink_bleed(im: Image.Image, rng: random.Random) -> Scan:
    import augraphy as A  # heavy (OpenCV, numba): only the hard profile loads it

    a = _hard_base(im)
    a = _aug(rng, A.InkBleed(intensity_range=(0.7, 0.9), kernel_size=(7, 7),
                             severity=(0.5, 0.7)), a)
    a = _aug(rng, A.InkMottling(ink_mottling_alpha_range=(0.2, 0.35)), a)
    page = _gray_out(a).filter(ImageFilter.GaussianBlur(0.5))
    return Scan([page], 200, "gray", "ink_bleed", rng.choice(("png", "pdf")),
                jpeg_quality=80)


def hard_low_ink(im: Image.Image, rng: random.Random) -> Scan:
    import augraphy as A  # heavy (OpenCV, numba): only the hard profile loads it

    a = _hard_base(im)
    a = _aug(rng, A.LowInkRandomLines(count_range=(20, 40), use_consistent_lines=False,
                                      noise_probability=0.2), a)
    a = _aug(rng, A.LowInkPeriodicLines(count_range=(3, 6), period_range=(16, 40),
                                        use_consistent_lines=False, noise_probability=0.1), a)
    # A worn cartridge also prints lighter overall.
    g = np.asarray(_gray_out(a), dtype=np.float32)
    g = 255 - (255 - g) * rng.uniform(0.55, 0.75)
    page = Image.fromarray(g.astype(np.uint8))
    return Scan([page], 200, "gray", "low_ink", rng.choice(("png", "tiff")))


def hard_dirty_drum(im: Image.Image, rng: random.Random) -> Scan:
    import augraphy as A  # heavy (OpenCV, numba): only the hard profile loads it

    a = _hard_base(im)
    # Light enough that every line stays legible to a person (augraphy's defaults
    # black out whole lines).
    a = _aug(rng, A.DirtyDrum(line_width_range=(1, 4), line_concentration=rng.uniform(0.04, 0.1),
                              direction=rng.choice((0, 1, 2)), noise_intensity=0.35,
                              noise_value=(60, 130), ksize=(3, 3), sigmaX=0), a)
    return Scan([_gray_out(a)], 200, "gray", "dirty_drum", rng.choice(("png", "pdf")),
                jpeg_quality=80)


def _photocopy(rng: random.Random, a: np.ndarray, noise_types: tuple[int, ...],
               light: bool = False) -> np.ndarray:
    import augraphy as A  # heavy (OpenCV, numba): only the hard profile loads it

    # `light`: paler, sparser toner specks (the page under a separately made noisy band).
    return _aug(rng, A.BadPhotoCopy(noise_type=rng.choice(noise_types),
                                    noise_side="random", noise_iteration=(1, 2),
                                    noise_size=(1, 2) if light else (1, 3),
                                    noise_value=(130, 200) if light else (40, 110),
                                    noise_sparsity=(0.75, 0.9) if light else (0.4, 0.7),
                                    noise_concentration=(0.05, 0.15) if light else (0.2, 0.5),
                                    blur_noise=0, wave_pattern=0, edge_effect=0), a)


def hard_photocopy(im: Image.Image, rng: random.Random) -> Scan:
    # Types 3 and 4 darken half the page in a gradient; the rest leave it legible.
    a = _photocopy(rng, _hard_base(im), (1, 2, 3, 5, 6, 7, 8))
    g = _gray_out(a)
    g = noisy(g, rng, 6)
    angle = rng.uniform(-1.5, 1.5)
    return Scan([skewed(g, angle, 245)], 200, "gray", "photocopy", rng.choice(("pdf", "tiff")),
                skew=angle, jpeg_quality=75)


def hard_photocopy_noisy_top(im: Image.Image, rng: random.Random) -> Scan:
    """Speckled copy whose top fifth is full of toner noise (the agency header sits there)."""
    # Speckles only below (type 1); the damage is meant to sit in the top band.
    a = _photocopy(rng, _hard_base(im), (1,), light=True)
    g = np.asarray(_gray_out(a), dtype=np.float32)
    n = np.random.default_rng(rng.randrange(2**32))
    h = g.shape[0]
    top = int(h * 0.2)
    # Dense specks fading out towards the bottom of the band, plus sparse specks below.
    density = np.linspace(rng.uniform(0.08, 0.14), 0.01, top)[:, None]
    specks = n.random((top, g.shape[1])) < density
    dots = Image.fromarray((specks * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(3))
    band = np.asarray(dots, dtype=np.float32) / 255
    g[:top] = np.minimum(g[:top], 255 - band * n.uniform(120, 220, band.shape))
    sparse = n.random(g.shape) < 0.0015
    g[sparse] = n.uniform(20, 120, int(sparse.sum()))
    page = Image.fromarray(np.clip(g, 0, 255).astype(np.uint8))
    return Scan([page], 200, "gray", "photocopy_noisy_top", rng.choice(("pdf", "png")),
                jpeg_quality=75)


def hard_folds(im: Image.Image, rng: random.Random) -> Scan:
    import augraphy as A  # heavy (OpenCV, numba): only the hard profile loads it

    a = _hard_base(im)
    # fold_noise stays 0: augraphy draws that noise inside a parallel numba loop whose
    # random state Python cannot seed, so it differs from run to run.
    a = _aug(rng, A.Folding(fold_count=rng.randrange(2, 5), fold_noise=0.0,
                            fold_angle_range=(0, 0), gradient_width=(0.1, 0.2),
                            gradient_height=(0.002, 0.006), backdrop_color=(235, 235, 235)), a)
    colour = rng.random() < 0.5
    page = _pil(a) if colour else _gray_out(a)
    return Scan([page], 200, "colour" if colour else "gray", "folds", rng.choice(("jpeg", "pdf")),
                jpeg_quality=rng.randrange(70, 90))


def hard_shadow(im: Image.Image, rng: random.Random) -> Scan:
    import augraphy as A  # heavy (OpenCV, numba): only the hard profile loads it

    a = _hard_base(im)
    a = _aug(rng, A.ShadowCast(shadow_side=rng.choice(("left", "right", "top", "bottom")),
                               shadow_vertices_range=(2, 6), shadow_width_range=(0.3, 0.6),
                               shadow_height_range=(0.5, 0.9), shadow_color=(0, 0, 0),
                               shadow_opacity_range=(0.4, 0.6), shadow_iterations_range=(1, 1),
                               shadow_blur_kernel_range=(101, 201)), a)
    return Scan([_gray_out(a)], 200, "gray", "shadow", rng.choice(("jpeg", "png")),
                jpeg_quality=80)


def hard_old_paper(im: Image.Image, rng: random.Random) -> Scan:
    import augraphy as A  # heavy (OpenCV, numba): only the hard profile loads it
    import cv2  # heavy: only the hard profile loads it

    page = _hard_base(im).astype(np.float32)
    h, w = page.shape[:2]
    # The aged sheet (tint, texture, stains) is made by augraphy on a blank sheet at half
    # resolution and multiplied onto the page: it has no fine detail, and it costs a
    # quarter of the time there (the whole page stays under ~1.5 s).
    blank = np.full((h // 2, w // 2, 3), 255, np.uint8)
    tint = _aug(rng, A.ColorPaper(hue_range=(20, 35), saturation_range=(30, 70)), blank)
    marks = _aug(rng, A.NoiseTexturize(sigma_range=(3, 7), turbulence_range=(2, 4)), blank)
    marks = _aug(rng, A.Stains(), marks)
    # On a blank sheet augraphy's stains come out at full strength; real ones are faint.
    lum = marks.astype(np.float32).mean(axis=2, keepdims=True) / 255
    sheet = tint.astype(np.float32) * (1 - rng.uniform(0.2, 0.35) * (1 - lum))
    paper = cv2.resize(sheet, (w, h), interpolation=cv2.INTER_LINEAR) / 255
    # Faded ink.
    ink = 255 - (255 - page) * rng.uniform(0.7, 0.85)
    # The back side's print showing through thin, aged paper: the page mirrored, shifted,
    # blurred and faint (augraphy's BleedThrough does this too but costs 2-4 s a page).
    gray = Image.fromarray(page.mean(axis=2).astype(np.uint8)[:, ::-1])
    back = gray.transform((w, h), Image.Transform.AFFINE,
                          (1, 0, rng.randrange(-25, 25), 0, 1, rng.randrange(-25, 25)),
                          fillcolor=255).filter(ImageFilter.GaussianBlur(2.0))
    ghost = 255 - (255 - np.asarray(back, dtype=np.float32)) * rng.uniform(0.12, 0.2)
    out = np.minimum(ink, ghost[:, :, None]) * paper
    return Scan([_pil(np.clip(out, 0, 255).astype(np.uint8))], 200, "colour", "old_paper",
                rng.choice(("jpeg", "pdf")), jpeg_quality=rng.randrange(60, 85))


def hard_fax(im: Image.Image, rng: random.Random) -> Scan:
    import augraphy as A  # heavy (OpenCV, numba): only the hard profile loads it

    a = _hard_base(im, 150)
    a = _aug(rng, A.Faxify(scale_range=(1.0, 1.0), monochrome=1,
                           monochrome_method="threshold_otsu", halftone=rng.choice((0, 1)),
                           invert=1, half_kernel_size=(1, 1), angle=(0, 360), sigma=(1, 2)), a)
    g = _gray_out(a)
    angle = rng.uniform(-1.0, 1.0)
    page = threshold(skewed(g, angle, 255), rng, 128, 10)
    return Scan([page], 150, "bilevel", "fax", rng.choice(("tiff", "pdf")), skew=angle)


def _lighting(shape: tuple[int, int], rng: random.Random) -> np.ndarray:
    """A smooth light falloff from a random point (numpy; augraphy's is slow at this size)."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / max(h, w)
    return np.clip(1.05 - rng.uniform(0.25, 0.45) * d, 0.45, 1.05)


def hard_photo(im: Image.Image, rng: random.Random) -> Scan:
    """A phone photo of the page on a desk: perspective, background, uneven light, blur."""
    import cv2  # heavy: only the hard profile loads it

    page = np.asarray(resample(im, 200).convert("RGB"), dtype=np.uint8)
    ph, pw = page.shape[:2]
    out_w, out_h = 1800, 2400
    bg_col = np.array([rng.randrange(60, 160), rng.randrange(50, 140), rng.randrange(30, 120)],
                      dtype=np.float32)
    n = np.random.default_rng(rng.randrange(2**32))
    small = np.clip(bg_col + n.normal(0, 12, (out_h // 8, out_w // 8, 1)), 0, 255)
    bg = cv2.resize(small.astype(np.uint8), (out_w, out_h), interpolation=cv2.INTER_CUBIC)
    # Page corners land inside the frame, each jittered: a hand-held, tilted shot.
    sx, sy = out_w / pw * 0.82, out_h / ph * 0.82
    s = min(sx, sy)
    cx, cy = out_w / 2 + rng.uniform(-60, 60), out_h / 2 + rng.uniform(-60, 60)
    j = 0.05 * out_w

    def jit() -> float:
        return rng.uniform(-j, j)

    dst = np.array([[cx - pw * s / 2 + jit(), cy - ph * s / 2 + jit()],
                    [cx + pw * s / 2 + jit(), cy - ph * s / 2 + jit()],
                    [cx + pw * s / 2 + jit(), cy + ph * s / 2 + jit()],
                    [cx - pw * s / 2 + jit(), cy + ph * s / 2 + jit()]], dtype=np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, m, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (out_w, out_h))
    mask_f = (mask.astype(np.float32) / 255)[:, :, None]
    img = warped.astype(np.float32) * mask_f + bg.astype(np.float32) * (1 - mask_f)
    light = _lighting((out_h, out_w), rng)[:, :, None]
    warm = np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.85, 0.95)], dtype=np.float32)
    img = np.clip(img * light * warm + n.normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    photo = Image.fromarray(img).filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.1)))
    eff_dpi = round(pw * s / (210 / 25.4))
    return Scan([photo], eff_dpi, "colour", "photo", "jpeg", jpeg_quality=rng.randrange(60, 86),
                dpi_metadata=False)


DEGRADERS: dict[str, Callable[[Image.Image, random.Random], Scan]] = {
    "clean": easy_clean, "blur_yellow_skew": easy_blur_yellow_skew, "bilevel": easy_bilevel,
    "jpeg": easy_jpeg, "turned": easy_turned, "skew": easy_skew,
    "ink_bleed": hard_ink_bleed, "low_ink": hard_low_ink, "dirty_drum": hard_dirty_drum,
    "photocopy": hard_photocopy, "photocopy_noisy_top": hard_photocopy_noisy_top,
    "folds": hard_folds, "shadow": hard_shadow, "old_paper": hard_old_paper, "fax": hard_fax,
    "photo": hard_photo,
}


def degrade(im: Image.Image, degradation: str, rng: random.Random) -> Scan:
    scan = DEGRADERS[degradation](im, rng)
    if scan.blank_back:
        scan.pages.append(blank_like(scan.pages[0], rng))
    return scan


# ----------------------------------------------------------------------------- files


def save(scan: Scan, path: Path) -> None:
    """Write the pages in the scan's container, deterministically (fixed PDF dates)."""
    dpi_kw: dict[str, Any] = {"dpi": (scan.dpi, scan.dpi)} if scan.dpi_metadata else {}
    first, rest = scan.pages[0], scan.pages[1:]
    if scan.format == "png":
        first.save(path, "PNG", optimize=False, **dpi_kw)
    elif scan.format == "jpeg":
        first.convert("RGB" if scan.mode == "colour" else "L").save(
            path, "JPEG", quality=scan.jpeg_quality or 85, **dpi_kw)
    elif scan.format == "tiff":
        comp = "group4" if scan.mode == "bilevel" else "tiff_lzw"
        first.save(path, "TIFF", compression=comp, save_all=bool(rest), append_images=rest,
                   **dpi_kw)
    else:
        # Pillow stores grey and colour pages as JPEG (DCTDecode) and bilevel ones as
        # CCITT G4: an image-only PDF, as scanners write them.
        # (Pillow writes bilevel pages through its TIFF encoder, which refuses `quality`.)
        quality = {} if scan.mode == "bilevel" else {"quality": scan.jpeg_quality or 85}
        first.save(path, "PDF", save_all=bool(rest), append_images=rest,
                   resolution=float(scan.dpi), creationDate=_PDF_DATE, modDate=_PDF_DATE,
                   title=path.stem, **quality)
