"""Ruled tables and label/value rows: cells OCR read apart, joined back into labelled lines.

Forms print fields as rows of a ruled table ("Họ và tên │ TRẦN NGỌC HOÀNG"), or a label
at the margin and its value at a tab stop further right; the marriage certificate's
table has one column per spouse under a header row ("Thông tin │ Chồng │ Vợ"). Tesseract
reads each cell as its own line, or glues neighbouring cells with the rule between them
read as "|" or "¡", in whatever order its layout analysis picks, and a long value wraps
onto a second row of its cell. The label readers expect "label: value" on one line.

So the body's lines are cut at rules, grouped into rows by where they stand on the page,
and a run of rows whose first cell is a label gets its values back: "Họ và tên: TRẦN
NGỌC HOÀNG", wrapped cell rows appended to their row. Under a header of roles, each
column becomes its own run of labelled lines after its role ("Chồng", then the husband's
rows; "Vợ", then the wife's). Lines outside such runs are left as they are.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from extract.lines import Line, Span

# A cell border read as text: a bar or bracket, a run of rule strokes, or an underscore
# standing alone (a vertical rule read as "_": no word of a form is a lone underscore).
_RULE = re.compile(r"[|¡\[\]]+|[_—–]{2,}|_|[|¡][_—–|¡]+")
# A border glued to the first letter of a cell ("|ĐẶNG", "'NGUYỄN"); not before a digit,
# where "|" is often a misread 1.
_LEADING_RULE = re.compile(r"^[|¡\[\]'‘`]+(?=[^\W\d_])")
# A bar glued to the first letter of a word inside a line ("TÀI. |NGÔ PHƯƠNG LY"): the
# rule between two cells tesseract read as one line. Only a bar: a quote or a bracket
# inside a line is as often punctuation.
_GLUED_RULE = re.compile(r"^[|¡]+(?=[^\W\d_])")
MAX_LABEL_WORDS = 7  # an unlisted label ("Dân tộc", "Loại giấy tờ pháp lý") is short
WRAP_GAP_HEIGHTS = 2.2  # a wrapped cell row starts within this many line heights
LABEL_GAP_HEIGHTS = 8.0  # the next label row of a table, past rows OCR garbled


@dataclass(frozen=True)
class _Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def center_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def center_y(self) -> float:
        return (self.y0 + self.y1) / 2


def _box(line: Line) -> _Box | None:
    boxes = [s.bbox for s in line.spans if s.bbox]
    if not boxes:
        return None
    return _Box(
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


# A page turned by less than this slope (about 0.6°) shifts a row by under 6 px over a
# 1,000 px table: no correction.
MIN_SKEW = 0.01
MAX_SKEW = 0.15  # beyond about 8.5° the words of a line are no baseline to measure
MIN_SKEW_LINES = 3  # lines of three words or more a slope is measured on


def _slope(line: Line) -> float | None:
    """How far the middles of a line's words drop per pixel to the right (least squares),
    or ``None`` for a line of fewer than three words."""
    points = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for s in line.spans if (b := s.bbox)]
    if len(points) < 3:
        return None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def page_skew(lines: Sequence[Line]) -> float:
    """The slope of the page's text lines (the median over lines of three words or more),
    0 when the page is level or too few lines say: a scan turned by a few degrees puts a
    value right of its label higher or lower than the label by more than a line's height,
    and rows must be found along the text's slope, not the image's."""
    slopes = sorted(s for line in lines if (s := _slope(line)) is not None)
    if len(slopes) < MIN_SKEW_LINES:
        return 0.0
    slope = statistics.median(slopes)
    return slope if MIN_SKEW <= abs(slope) <= MAX_SKEW else 0.0


def _level(box: _Box, slope: float) -> _Box:
    """The box moved up or down to where it would stand on the page turned level."""
    if not slope:
        return box
    shift = round(slope * box.center_x)
    return _Box(box.x0, box.y0 - shift, box.x1, box.y1 - shift)


def join(pieces: Sequence[Line | str], page: int) -> Line:
    """One line from lines and literal text, every span kept at its new offset."""
    text = ""
    spans: list[Span] = []
    for piece in pieces:
        if isinstance(piece, str):
            text += piece
            continue
        if text and not text.endswith(" "):
            text += " "
        offset = len(text)
        spans += [Span(s.start + offset, s.end + offset, s.confidence, s.bbox) for s in piece.spans]
        text += piece.text
    return Line(text=text, page=page, spans=spans)


def _cells(line: Line) -> list[Line]:
    """The line cut where a table rule was read as text, the rule dropped."""
    groups: list[list[tuple[str, Span]]] = [[]]
    for span in line.spans:
        word = line.text[span.start : span.end]
        if _RULE.fullmatch(word):
            groups.append([])
            continue
        if groups[-1] and _GLUED_RULE.match(word):
            groups.append([])  # the rule glued to the next cell's first word: cut there
        if not groups[-1]:
            word = _LEADING_RULE.sub("", word)
        if word:
            groups[-1].append((word, span))
    kept = [word for group in groups for word, _ in group]
    if len(groups) == 1 and kept == [line.text[s.start : s.end] for s in line.spans]:
        return [line]  # nothing cut, nothing stripped
    return [_line_of(group, line.page) for group in groups if group]


def _line_of(words: Sequence[tuple[str, Span]], page: int) -> Line:
    """A line made of words, each keeping its confidence and box."""
    text, spans = "", []
    for word, span in words:
        if text:
            text += " "
        spans.append(Span(len(text), len(text) + len(word), span.confidence, span.bbox))
        text += word
    return Line(text=text, page=page, spans=spans)


# A mark in a label cell shorter than this share of the cell's letters is a speck or a
# stroke of the rule under it, whatever tesseract read it as ("sinh S", the S 2 px high).
SPECK_HEIGHT_SHARE = 0.4


def _label_line(label: Line) -> Line:
    """A label cell without rule strokes OCR read inside it ("năm _ sinh") or after it,
    nor specks read as letters: a label followed by an unknown word would read as the
    start of a longer label."""
    words = [(label.text[s.start : s.end], s) for s in label.spans]
    kept = [(w.rstrip(":"), s) for w, s in words if not re.fullmatch(r"[_\-|¡:.]+", w)]
    heights = [s.bbox[3] - s.bbox[1] for _, s in kept if s.bbox]
    tall = statistics.median(heights) if heights else 0
    kept = [
        (w, s)
        for w, s in kept
        if not (s.bbox and s.bbox[3] - s.bbox[1] < SPECK_HEIGHT_SHARE * tall)
    ]
    return _line_of([(w, s) for w, s in kept if w], label.page)


@dataclass
class _Row:
    cells: list[tuple[int, Line, _Box]]  # (order of the source line, cell, box), left to right

    @property
    def top(self) -> int:
        return min(b.y0 for _, _, b in self.cells)

    @property
    def bottom(self) -> int:
        return max(b.y1 for _, _, b in self.cells)


def _rows(cells: list[tuple[int, Line, _Box]]) -> list[_Row]:
    """Cells on one baseline (each one's middle inside the first's height) form a row."""
    rows: list[_Row] = []
    for cell in sorted(cells, key=lambda c: (c[2].center_y, c[2].x0)):
        box = cell[2]
        if rows:
            first = rows[-1].cells[0][2]
            if first.y0 <= box.center_y <= first.y1:
                rows[-1].cells.append(cell)
                continue
        rows.append(_Row([cell]))
    for row in rows:
        row.cells.sort(key=lambda c: c[2].x0)
    return rows


@dataclass
class _Entry:
    label: Line
    values: list[tuple[Line, _Box]] = field(default_factory=list)  # its row's and wrapped
    own: int = 0  # how many of ``values`` stand on the label's own row


@dataclass
class _Table:
    label_x: int
    label_right: int
    height: float
    header: list[Line] = field(default_factory=list)  # role cells, left to right
    columns: list[float] = field(default_factory=list)  # their x middles
    entries: list[_Entry] = field(default_factory=list)
    known: int = 0  # rows whose label a reader knows
    taken: set[int] = field(default_factory=set)  # ids of the cells taken into the table
    bottom: int = 0

    def put(self, entry: _Entry, row: Sequence[tuple[int, Line, _Box]]) -> None:
        entry.values += [(cell, box) for _, cell, box in row]
        self.taken |= {id(cell) for _, cell, _ in row}

    def value_columns(self) -> list[float]:
        """The x middles of the value columns: the header's, or, without one, those of the
        row with the most value cells side by side (a table whose header OCR lost)."""
        if self.columns:
            return self.columns
        widest = max(self.entries, key=lambda e: e.own)
        return [box.center_x for _, box in widest.values[: widest.own]] if widest.own > 1 else []

    def lines(self, page: int) -> list[Line]:
        """The table as labelled lines: one run per value column (after its role, under a
        header of roles), so that two people side by side are read one after the other."""
        columns = self.value_columns()

        def column(box: _Box) -> int:
            if not columns:
                return 0
            return min(range(len(columns)), key=lambda i: abs(columns[i] - box.center_x))

        out: list[Line] = []
        for index in range(max(1, len(columns))):
            if self.header:
                out.append(self.header[index])
            for entry in self.entries:
                values = [cell for cell, box in entry.values if column(box) == index]
                if values:
                    out.append(join([_label_line(entry.label), ": ", *values], page))
        return out


def _unlisted_label(cell: Line, box: _Box, table: _Table) -> bool:
    """A short text cell standing in the table's label column."""
    return (
        abs(box.x0 - table.label_x) <= 2 * table.height
        and not re.search(r"\d", cell.text)
        and len(cell.text.split()) <= MAX_LABEL_WORDS
    )


def _split_label(
    cell: tuple[int, Line, _Box], is_label: Callable[[str], bool]
) -> list[tuple[int, Line, _Box]]:
    """A table's label cell read together with the value beside it ("Họ, chữ đệm, tên
    NGUYỄN THÀNH LỘC", "Ngày, tháng, năm sinh 26/06/2003": no rule read between, the gap
    too narrow for a column) as the two cells; the cell as it is when it does not open
    with a known label followed by a capital or a figure."""
    order, line, _ = cell
    spans = line.spans
    if ":" in line.text:
        return [cell]  # "Nơi đăng ký: …" is a labelled line of its own, read as it is
    for count in range(min(len(spans) - 1, MAX_LABEL_WORDS), 0, -1):
        rest = line.text[spans[count].start :]
        # The value beside the label opens with a capital (a name, "Căn cước …") or a
        # figure (a date, a number: "Ngày, tháng, năm sinh 26/06/2003"), the figure
        # maybe behind a rule stroke or a speck ("_14/09/1988"); a small letter may be the
        # label going on.
        opens = rest[:1].isupper() or rest.lstrip("_.")[:1].isdigit()
        if not opens or not is_label(line.text[: spans[count - 1].end]):
            continue
        words = [(line.text[s.start : s.end], s) for s in spans]
        parts = [_line_of(words[:count], line.page), _line_of(words[count:], line.page)]
        return [(order, part, box) for part in parts if (box := _box(part)) is not None]
    return [cell]


def _is_header(row: _Row, role_of: Callable[[str], str | None]) -> bool:
    """A row of column heads: two or more short cells right of the first, one a role."""
    heads = [cell.text for _, cell, _ in row.cells[1:]]
    return (
        len(heads) >= 2
        and any(role_of(text) for text in heads)
        and all(len(text.split()) <= 2 and not re.search(r"\d", text) for text in heads)
    )


def _page_tables(
    cut: list[tuple[int, Line, _Box]],
    is_label: Callable[[str], bool],
    role_of: Callable[[str], str | None],
) -> list[_Table]:
    heights = [b.height for _, _, b in cut if b.height > 0]
    height = float(statistics.median(heights)) if heights else 0.0
    tables: list[_Table] = []
    table: _Table | None = None

    def close() -> None:
        nonlocal table
        if table is not None and table.known:
            tables.append(table)
        table = None

    for row in _rows(cut):
        original = row.cells[0][1]
        if table is not None:
            row.cells[:1] = _split_label(row.cells[0], is_label)
        _, first, box = row.cells[0]
        rest = row.cells[1:]
        if _is_header(row, role_of):
            close()
            table = _Table(box.x0, box.x1, height, bottom=row.bottom)
            table.header = [cell for _, cell, _ in rest]
            table.columns = [b.center_x for _, _, b in rest]
            table.taken |= {id(cell) for _, cell, _ in row.cells}
            continue
        known = is_label(first.text)
        gap = row.top - table.bottom if table is not None else None
        near = gap is not None and gap <= WRAP_GAP_HEIGHTS * height
        # A label row in the table's label column continues it past rows OCR garbled.
        aligned = (
            table is not None
            and gap is not None
            and gap <= LABEL_GAP_HEIGHTS * height
            and (not table.entries or _unlisted_label(first, box, table))
        )
        if rest and (known or aligned):
            if table is None or not (near or aligned):
                close()
                table = _Table(box.x0, box.x1, height)
            elif not table.entries:  # under a header: the labels' column starts here
                table.label_x, table.label_right = box.x0, box.x1
            entry = _Entry(first, own=len(rest))
            table.entries.append(entry)
            table.known += known
            table.taken |= {id(first), id(original)}
            table.put(entry, rest)
            table.label_right = max(table.label_right, box.x1)
            table.bottom = row.bottom
            continue
        if (
            table
            and near
            and table.entries
            and not rest
            and first.text[:1].islower()
            and _unlisted_label(first, box, table)
        ):
            # A label wrapped in its cell ("Ngày, tháng, năm" / "sinh"). A label already
            # whole ("Họ và tên") takes a row only if it stays a label with it ("cha"):
            # a garbled row under it ("h “ưa nh“SẮG=…") would hide the label.
            entry = table.entries[-1]
            joined = join([entry.label, first], first.page)
            if not is_label(entry.label.text) or is_label(joined.text):
                entry.label = joined
                table.taken.add(id(first))
                table.bottom = row.bottom
                continue
        if table and near and table.entries and box.x0 > table.label_right:
            table.put(table.entries[-1], row.cells)  # a value wrapped onto the next row
            table.bottom = row.bottom
            continue
        if table is not None and gap is not None and gap <= LABEL_GAP_HEIGHTS * height:
            continue  # a garbled row inside the table: left as it is, the table goes on
        close()
    close()
    return tables


def join_table_rows(
    lines: list[Line],
    is_label: Callable[[str], bool],
    role_of: Callable[[str], str | None],
) -> list[Line]:
    """The lines with every label/value table replaced by its labelled lines.

    ``is_label(text)``: the text is a label the readers know, with no value after it;
    ``role_of(text)``: the role a column header names, or ``None``. Lines without word
    boxes (text-only input) are returned unchanged.
    """
    cells: list[list[Line]] = []
    by_page: dict[int, list[tuple[int, Line, _Box]]] = {}
    skew = {
        page: page_skew([ln for ln in lines if ln.page == page])
        for page in {ln.page for ln in lines}
    }
    for order, line in enumerate(lines):
        cells.append(_cells(line))
        for cell in cells[-1]:
            box = _box(cell)
            if box is None:
                return lines
            by_page.setdefault(line.page, []).append((order, cell, _level(box, skew[line.page])))
    tables = [t for cut in by_page.values() for t in _page_tables(cut, is_label, role_of)]
    if not tables:
        return lines
    owner = {cell_id: index for index, t in enumerate(tables) for cell_id in t.taken}
    out: list[Line] = []
    placed: set[int] = set()
    for line, line_cells in zip(lines, cells, strict=True):
        if not any(id(cell) in owner for cell in line_cells):
            out.append(line)
            continue
        for cell in line_cells:
            index = owner.get(id(cell))
            if index is None:
                out.append(cell)  # a cell of the line the table did not take
            elif index not in placed:
                placed.add(index)
                out.extend(tables[index].lines(line.page))
    return out
