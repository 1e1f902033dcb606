"""Stored records with fields waiting for double-entry keying, for the keying tests and
``bench/keying_bench.py``: an old birth-certificate form whose six values are written
on the page (a slanted font standing in for handwriting) and missing from the record,
which waits with ``handwriting_unread``/``handwriting_unconfirmed`` reasons and keeps
each value's region, as ``ingest.handwriting`` leaves a form no engine read.

Built with the record model rather than ingested: the HTTP flow is what is tested, and
OCR plus the line model would cost a minute per form for nothing the tests look at.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from records import FieldRegion, Record, ReviewReason, Status
from tests.support.reuse import Person, make_record

FONTS = Path("/usr/share/fonts/truetype/dejavu")
PAGE = (827, 1169)  # A4 at 100 dpi
DPI = 100

# (path, printed label) of the six handwritten fields of the form, in page order.
SLOTS = (
    ("subjects[0].name", "Họ, chữ đệm, tên:"),
    ("subjects[0].birth_date", "Ngày, tháng, năm sinh:"),
    ("fields.birth_place", "Nơi sinh:"),
    ("fields.mother_name", "Họ tên mẹ:"),
    ("fields.father_name", "Họ tên cha:"),
    ("document_number", "Số:"),
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
MIDDLES = ("Văn", "Thị", "Hữu", "Thị Thanh", "Đức", "Ngọc")
GIVEN = ("Hồng Nhung", "Lụa", "Đức", "Hà", "Tuấn", "Phượng", "Quỳnh", "Ánh", "Dũng", "Hải")
PLACES = ("Bệnh viện Phụ sản Hà Nội", "Trạm y tế xã Đông Hưng", "Bệnh viện Việt Đức",
          "Nhà hộ sinh quận Hải Châu", "Bệnh viện đa khoa tỉnh Nghệ An")


@dataclass(frozen=True)
class KeyingForm:
    record: Record
    pdf: bytes
    values: dict[str, str]  # path → the value as written (and as a clerk types it)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def form_values(rng: random.Random) -> dict[str, str]:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1976, 2005)
    return {
        "subjects[0].name": _name(rng),
        "subjects[0].birth_date": f"{day:02d}/{month:02d}/{year}",
        "fields.birth_place": rng.choice(PLACES),
        "fields.mother_name": _name(rng),
        "fields.father_name": _name(rng),
        "document_number": f"{rng.randint(1, 400)}/{year}",
    }


def keying_form(seed: str, *, agency: str = "ubnd-a",
                values: dict[str, str] | None = None, placed: tuple[str, ...] = ()
                ) -> KeyingForm:
    """A form (page image as a PDF) and its record waiting for its six values. ``placed``:
    the paths whose label was not found, their regions placed wide around the value's
    line (``FieldRegion.estimated``) as ``ingest.handwriting.placed_box`` does."""
    values = values or form_values(random.Random(seed))
    image = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(image)
    label_font = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), 17)
    hand_font = ImageFont.truetype(str(FONTS / "DejaVuSans-Oblique.ttf"), 22)
    draw.text((PAGE[0] // 2, 80), "GIẤY KHAI SINH", font=label_font, fill=0, anchor="mm")
    regions = []
    for row, (path, label) in enumerate(SLOTS):
        y = 170 + row * 70
        draw.text((70, y), label, font=label_font, fill=0, anchor="ls")
        x = 70 + int(draw.textlength(label, font=label_font)) + 14
        draw.text((x, y + 24), "." * 60, font=label_font, fill=110, anchor="ls")
        draw.text((x + 6, y - 2), values[path], font=hand_font, fill=20, anchor="ls")
        x0, y0, x1, y1 = draw.textbbox((x + 6, y - 2), values[path], font=hand_font,
                                       anchor="ls")
        if path in placed:
            regions.append(FieldRegion(path, 1, (40, y - 60, PAGE[0] - 40, y + 50), PAGE,
                                       estimated=True))
        else:
            regions.append(FieldRegion(path, 1, (int(x0), int(y0), int(x1), int(y1)), PAGE))
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=DPI)
    record = make_record("birth_certificate", Person("-", "1976-01-01", ""),
                         issued_on="2010-03-02", status=Status.NEEDS_REVIEW, with_id=False,
                         agency=agency, seed=seed)
    subject = record.subjects[0]
    subject.name = subject.birth_date = None
    record.document_number = None
    record.regions = regions
    record.review.reasons = [
        ReviewReason("handwriting_unconfirmed" if path.endswith("birth_date")
                     else "handwriting_unread", path) for path, _ in SLOTS]
    return KeyingForm(record, out.getvalue(), values)


def seed_forms(server: Any, forms: list[KeyingForm]) -> None:
    """Store the forms' signed PDFs and records in ``server``'s store, then index them
    (``tests.api.live.LiveServer``)."""
    from search import open_index
    from storage import open_store, save_record

    settings = server.settings
    store = open_store(settings.storage_url)
    index = open_index(settings.index_url)
    try:
        with server._signer() as signer:
            for form in forms:
                key = form.record.files.archival_pdf or ""
                signed = signer.sign(form.pdf, record_id=form.record.id).data
                store.put(key, signed, content_type="application/pdf")
                save_record(store, form.record)
        index.upsert_many([f.record for f in forms])
    finally:
        index.close()


def telex_keys(ch: str) -> int:
    """Keys a Telex (or VNI) typist presses for one character: the letter and one per
    mark (``ễ`` = e, e, x), ``đ`` = d, d."""
    import unicodedata

    return len(unicodedata.normalize("NFD", ch)) + (ch in "đĐ")


@dataclass
class Keystrokes:
    chars: int = 0  # characters of the values (NFC)
    telex: int = 0  # keys a Telex typist presses for them
    extra: int = 0  # keys beyond them: Tab, Enter
    typing_ms: float = 0.0  # the typist's own time at the given pace


def key_by_keyboard(page: Any, values: dict[str, str], *, key_ms: float = 0,
                    decomposed: bool = False) -> Keystrokes:
    """Key the form open in ``page`` (Playwright) as a clerk does, keyboard only: type
    each input's value where the focus is, Tab to the next, Enter on the last (which
    submits). ``key_ms``: the typist's time per key, each character taking as many keys
    as Telex needs for it (0: as fast as the browser takes them). ``decomposed`` types
    each value in NFD, as input methods that send combining marks do."""
    import unicodedata

    names = page.eval_on_selector_all(
        "#keying-form input:not([type=hidden])", "inputs => inputs.map(i => i.name)")
    count = Keystrokes()
    for i, name in enumerate(names):
        focused = page.evaluate("document.activeElement && document.activeElement.name")
        if focused != name:
            raise AssertionError(f"focus on {focused!r}, expected {name!r}")
        text = values[name]
        typed = unicodedata.normalize("NFD", text) if decomposed else text
        keys = sum(telex_keys(ch) for ch in text)
        count.chars += len(text)
        count.telex += keys
        count.typing_ms += (keys + 1) * key_ms
        # One call per field, Playwright spacing the characters by the typist's time for
        # the field's keys spread over them (a call per character would add the driver's
        # round trips to what is measured).
        page.keyboard.type(typed, delay=keys * key_ms / max(1, len(typed)))
        page.keyboard.press("Tab" if i + 1 < len(names) else "Enter", delay=key_ms)
        count.extra += 1
    return count
