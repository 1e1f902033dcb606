"""Double-entry keying at human speed (issue 21): seconds per six-field form and keys
beyond the characters, two clerks, keyboard only, in Debian's chromium.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/keying_bench.py --forms 4 --key-ms 250

A live sohoa server (uvicorn, as ``sohoa serve`` runs it) on a fresh data dir holds
``--forms`` old birth-certificate forms waiting for their six handwritten values
(``tests.support.keying``). Each of two clerks signs in, opens ``/keying`` and keys
every form as a typist would: the focus is in the first input when the form comes up,
each character takes as many keys as Telex needs for it (``ễ`` = e e x, ``đ`` = d d) at
``--key-ms`` per key, Tab between inputs, Enter on the last, which submits and brings
the next form. The second clerk types decomposed text (NFD), as some input methods
send it. A form's time runs from its first input holding the focus to the next form's
first input holding it (the clerk's typing, the save, the agreement filling the record
for the second clerk, the next form's load and its six crops).

Printed beside it, the reference: the typist's own time for the same keys on a screen
that costs nothing (the keys at ``--key-ms``), so the difference is sohoa's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.tokens import Role, create_token  # noqa: E402
from storage import open_store  # noqa: E402
from tests.api.live import running_server  # noqa: E402
from tests.support.browser import browser_page  # noqa: E402
from tests.support.keying import key_by_keyboard, keying_form, seed_forms  # noqa: E402

FIRST_INPUT = "document.activeElement && document.activeElement.name === 'subjects[0].name'"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", type=int, default=4)
    parser.add_argument("--key-ms", type=float, default=250.0,
                        help="the typist's time per key (250 ms: 4 keys/s, 14,400 keys/h)")
    args = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="sohoa-keying-bench-") as tmp, \
            running_server(Path(tmp) / "data") as server:
        forms = [keying_form(f"bench-{n}") for n in range(args.forms)]
        by_id = {f.record.id: f for f in forms}
        seed_forms(server, forms)
        store = open_store(server.settings.storage_url)
        for clerk, decomposed in (("clerk-1", False), ("clerk-2", True)):
            token = create_token(store, role=Role.ARCHIVIST, agency="ubnd-a", label=clerk)
            with browser_page(server.base_url) as page:
                page.goto("/login")
                page.fill("input[name=token]", token)
                page.keyboard.press("Enter")
                page.wait_for_url(lambda url: "/login" not in url)
                page.goto("/keying")
                page.wait_for_function(FIRST_INPUT)
                for _ in forms:
                    record_id = page.url.rstrip("/").rsplit("/", 1)[-1]
                    started = time.monotonic()
                    keys = key_by_keyboard(page, by_id[record_id].values, key_ms=args.key_ms,
                                           decomposed=decomposed)
                    page.wait_for_url(lambda url, rid=record_id: not url.endswith(f"/keying/{rid}"))
                    if "/keying/" in page.url:
                        page.wait_for_function(FIRST_INPUT)
                        page.wait_for_load_state("load")  # the next form's crops shown
                    else:
                        page.wait_for_load_state("load")
                    spent = time.monotonic() - started
                    rows.append({"clerk": clerk, "decomposed": decomposed,
                                 "record_id": record_id, "seconds": round(spent, 2),
                                 "typist_seconds": round(keys.typing_ms / 1000, 2),
                                 "fields": 6, "chars": keys.chars, "telex_keys": keys.telex,
                                 "extra_keys": keys.extra})
                    print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        with server.client(Role.ADMIN) as client:
            filled = [client.get(f"/api/v1/records/{rid}").json() for rid in by_id]
            clerks = client.get("/api/v1/keying/clerks").json()["clerks"]
    ready = sum(r["status"] == "ready" for r in filled)

    seconds = [r["seconds"] for r in rows]
    typist = [r["typist_seconds"] for r in rows]
    extra_per_field = max(r["extra_keys"] / r["fields"] for r in rows)
    print(f"\nforms keyed: {len(rows)} ({args.forms} forms x 2 clerks); filled and ready "
          f"after both: {ready}/{args.forms}; load average {os.getloadavg()[0]:.1f}")
    print(f"pace: {args.key_ms:.0f} ms per key; characters per form: "
          f"{statistics.mean(r['chars'] for r in rows):.0f}, Telex keys "
          f"{statistics.mean(r['telex_keys'] for r in rows):.0f}")
    print(f"{'':34} {'median':>8} {'mean':>8} {'max':>8}")
    print(f"{'sohoa: seconds per 6-field form':34} {statistics.median(seconds):8.1f} "
          f"{statistics.mean(seconds):8.1f} {max(seconds):8.1f}")
    print(f"{'reference: the typist alone':34} {statistics.median(typist):8.1f} "
          f"{statistics.mean(typist):8.1f} {max(typist):8.1f}")
    print(f"keys beyond the characters, per field: {extra_per_field:.2f} (target <= 1)")
    for c in clerks:
        print(f"  {c['label']}: {c['fields_keyed']} fields, {c['forms_per_hour']} forms/h, "
              f"disagreement {c['disagreement_rate']}")
    return 0 if statistics.mean(seconds) <= 40 and extra_per_field <= 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
