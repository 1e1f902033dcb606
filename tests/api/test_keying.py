"""Double-entry keying over HTTP, on a live server: two clerks agree → the field is
filled, audited; they disagree → a third person decides; the same clerk never gives
both entries; composed and decomposed Vietnamese agree; the admin's per-clerk table."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from PIL import Image

from api.auth import COOKIE_NAME
from api.tokens import Role, create_token, token_id_of
from storage import open_store
from tests.api.live import LiveServer, running_server, server_log
from tests.support.keying import SLOTS, KeyingForm, keying_form, seed_forms

AGENCY = "ubnd-a"


@dataclass
class People:
    server: LiveServer
    tokens: dict[str, str]

    @contextmanager
    def browser(self, who: str) -> Iterator[httpx.Client]:
        """Signed in to the screens (session cookie)."""
        with httpx.Client(base_url=self.server.base_url, timeout=60) as client:
            client.post("/login", data={"token": self.tokens[who]})
            assert COOKIE_NAME in client.cookies
            yield client

    def client(self, who: str) -> httpx.Client:
        return httpx.Client(base_url=self.server.base_url, timeout=60,
                            headers={"Authorization": f"Bearer {self.tokens[who]}"})


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[People]:
    with running_server(tmp_path_factory.mktemp("keying")) as server:
        store = open_store(server.settings.storage_url)
        roles = {"an": Role.ARCHIVIST, "binh": Role.ARCHIVIST, "chi": Role.ARCHIVIST,
                 "admin": Role.ADMIN, "officer": Role.OFFICER}
        tokens = {who: create_token(store, role=role, agency=AGENCY, label=who)
                  for who, role in roles.items()}
        yield People(server, tokens)
        assert "unhandled error" not in server_log(server)


def _seeded(people: People, seed: str) -> KeyingForm:
    form = keying_form(seed, agency=AGENCY)
    seed_forms(people.server, [form])
    return form


def _key(people: People, who: str, record_id: str, values: dict[str, str]) -> httpx.Response:
    with people.client(who) as client:
        return client.post(f"/api/v1/keying/records/{record_id}/entries",
                           json={"values": values})


def _record(people: People, record_id: str) -> dict[str, Any]:
    with people.client("admin") as client:
        body: dict[str, Any] = client.get(f"/api/v1/records/{record_id}").json()
    return body


def _audit(people: People) -> list[dict[str, Any]]:
    with people.client("admin") as client:
        entries: list[dict[str, Any]] = client.get("/api/v1/audit",
                                                   params={"limit": 1000}).json()["entries"]
    return entries


def _actor(people: People, who: str) -> str:
    role = "admin" if who == "admin" else "archivist"
    return f"{role}:{AGENCY}:{token_id_of(people.tokens[who])}"


def _nfd_spaced(text: str) -> str:
    """As a decomposing input method leaves it, with stray spaces."""
    return "  " + unicodedata.normalize("NFD", text).replace(" ", "   ") + " "


def test_two_clerks_agree_and_the_fields_are_filled_with_both_audited(people: People) -> None:
    form = _seeded(people, "agree")
    rid = form.record.id
    first = _key(people, "an", rid, form.values)
    assert first.status_code == 200, first.text
    assert first.json()["agreed"] == [] and len(first.json()["keyed"]) == 6
    assert _record(people, rid)["subjects"][0]["name"] is None  # one entry fills nothing

    # The second clerk types with a decomposing input method: still the same values.
    second = _key(people, "binh", rid, {p: _nfd_spaced(v) for p, v in form.values.items()})
    assert second.status_code == 200, second.text
    assert sorted(second.json()["agreed"]) == sorted(form.values)
    record = _record(people, rid)
    name = record["subjects"][0]["name"]
    assert name == unicodedata.normalize("NFC", form.values["subjects[0].name"])
    day, month, year = form.values["subjects[0].birth_date"].split("/")
    assert record["subjects"][0]["birth_date"] == f"{year}-{month}-{day}"
    assert record["fields"]["birth_place"] == form.values["fields.birth_place"]
    assert record["document_number"] == form.values["document_number"]
    assert record["review"]["reasons"] == []
    assert record["status"] == "ready"
    assert {c["field"] for c in record["review"]["corrections"]} == set(form.values)
    assert all("archivist:ubnd-a:" in c["by"] and " + " in c["by"]
               for c in record["review"]["corrections"])

    entries = [e for e in _audit(people) if e["details"].get("record_id") == rid]
    actions = [(e["action"], e["actor"]) for e in entries]
    keyed_by = {actor for action, actor in actions if action == "keying.entry"}
    assert keyed_by == {_actor(people, "an"), _actor(people, "binh")}
    assert any(action == "record.correct" for action, _ in actions)
    assert sum(action == "keying.agreed" for action, _ in actions) == 6


def test_the_same_clerk_cannot_give_both_entries(people: People) -> None:
    form = _seeded(people, "same-clerk")
    rid = form.record.id
    name = {"subjects[0].name": form.values["subjects[0].name"]}
    assert _key(people, "an", rid, name).status_code == 200
    again = _key(people, "an", rid, name)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_keyed"
    assert _record(people, rid)["subjects"][0]["name"] is None
    # Nor does the queue offer that field to them again; the other fields it does.
    with people.client("an") as client:
        fields = client.get(f"/api/v1/keying/records/{rid}").json()["fields"]
    yours = {f["field"] for f in fields if f["yours"]}
    assert "subjects[0].name" not in yours and len(yours) == 5


def test_disagreement_goes_to_a_third_person_who_decides(people: People) -> None:
    form = _seeded(people, "disagree")
    rid = form.record.id
    path = "fields.mother_name"
    assert _key(people, "an", rid, {path: "Trần Thị Hà"}).status_code == 200
    second = _key(people, "binh", rid, {path: "Trần Thị Hạ"})  # a dot below: another name
    assert second.json()["disputed"] == [path]
    assert "mother_name" not in _record(people, rid)["fields"]

    # A clerk of the field cannot decide it.
    with people.client("an") as client:
        assert client.get("/api/v1/keying/disputes").json()["items"] == []
        refused = client.post(f"/api/v1/keying/records/{rid}/decisions",
                              json={"field": path, "value": "Trần Thị Hà"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_third_person"

    with people.client("chi") as client:
        items = [d for d in client.get("/api/v1/keying/disputes").json()["items"]
                 if d["record_id"] == rid]
        assert [d["field"] for d in items] == [path]
        assert sorted(e["value"] for e in items[0]["entries"]) == ["Trần Thị Hà", "Trần Thị Hạ"]
        decided = client.post(f"/api/v1/keying/records/{rid}/decisions",
                              json={"field": path, "value": "Trần Thị Hạ"})
        assert decided.status_code == 200, decided.text
    assert _record(people, rid)["fields"]["mother_name"] == "Trần Thị Hạ"
    decisions = [e for e in _audit(people) if e["action"] == "keying.decision"
                 and e["details"]["record_id"] == rid]
    assert [e["actor"] for e in decisions] == [_actor(people, "chi")]
    assert len(decisions[0]["details"]["clerks"]) == 2
    assert decisions[0]["details"]["chose"] == [_actor(people, "binh")]


def test_an_invalid_entry_is_refused_with_a_vietnamese_reason(people: People) -> None:
    form = _seeded(people, "invalid")
    answer = _key(people, "an", form.record.id, {"subjects[0].birth_date": "31/02/1990"})
    assert answer.status_code == 422
    assert answer.json()["error"]["message_vi"].startswith("Ngày sinh")
    assert _key(people, "an", form.record.id,
                {"issuer": "UBND xã Đông Hưng"}).status_code == 422  # not waiting for keying


def test_the_admin_sees_each_clerks_figures(people: People) -> None:
    form = _seeded(people, "figures")
    rid = form.record.id
    assert _key(people, "an", rid, {"fields.father_name": "Lê Văn Tám"}).status_code == 200
    assert _key(people, "binh", rid, {"fields.father_name": "Lê Văn Tâm"}).status_code == 200
    with people.client("admin") as client:
        clerks = {c["label"]: c for c in client.get("/api/v1/keying/clerks").json()["clerks"]}
    with people.browser("admin") as browser:
        screen = browser.get("/keying-clerks")
    assert clerks["an"]["fields_keyed"] >= 1 and clerks["an"]["forms"] >= 1
    assert clerks["an"]["disagreed"] >= 1 and 0 < clerks["an"]["disagreement_rate"] <= 1
    assert clerks["binh"]["compared"] == clerks["an"]["compared"]
    assert screen.status_code == 200 and "Tỷ lệ khác nhau" in screen.text
    with people.client("an") as client:
        assert client.get("/api/v1/keying/clerks").status_code == 403
    # An officer may read records, not key them.
    assert _key(people, "officer", rid, {"document_number": "1/2000"}).status_code == 403


def test_the_crop_is_the_fields_part_of_the_page(people: People) -> None:
    form = _seeded(people, "crop")
    with people.client("an") as client:
        answer = client.get(f"/keying/{form.record.id}/crop.png",
                            params={"field": SLOTS[0][0]})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(answer.content)) as crop:
        region = form.record.regions[0]
        width = region.box[2] - region.box[0]
        assert width <= crop.width < width * 1.5
        assert crop.height < 3 * (region.box[3] - region.box[1])
        darkest, _ = crop.convert("L").getextrema()
        assert isinstance(darkest, int) and darkest < 100  # ink, not blank paper


def test_a_placed_crop_is_shown_as_approximate(people: People) -> None:
    # A field whose printed label was not found: its crop is placed from the form's
    # layout, wider than the value, and the screen says so in Vietnamese.
    form = keying_form("placed", agency=AGENCY, placed=("subjects[0].birth_date",))
    seed_forms(people.server, [form])
    rid = form.record.id
    with people.client("an") as client:
        fields = {f["field"]: f for f in client.get(f"/api/v1/keying/records/{rid}")
                  .json()["fields"]}
        crop = client.get(f"/keying/{rid}/crop.png", params={"field": "subjects[0].birth_date"})
    assert fields["subjects[0].birth_date"]["region"]["estimated"] is True
    assert fields["subjects[0].name"]["region"]["estimated"] is False
    placed = next(r for r in form.record.regions if r.estimated)
    with Image.open(io.BytesIO(crop.content)) as image:
        # The placed box itself, no margin added (it is wide already), page to image scale.
        scale = image.width / (placed.box[2] - placed.box[0])
        assert abs(image.height - (placed.box[3] - placed.box[1]) * scale) <= 2
    with people.browser("an") as browser:
        text = browser.get(f"/keying/{rid}").text
    assert text.count("Vùng ước lượng") == 1 and text.count('class="crop estimated"') == 1
    row = text.split('name="subjects[0].birth_date"')[0].rsplit('class="keying-row"', 1)[1]
    assert "Vùng ước lượng" in row  # beside the field whose crop it is


def test_the_form_screen_takes_a_whole_form_and_moves_on(people: People) -> None:
    form = _seeded(people, "screen")
    rid = form.record.id
    with people.browser("chi") as browser:
        page = browser.get(f"/keying/{rid}")
        assert page.status_code == 200
        text = page.text
        assert text.count('<img class="crop"') == 6 and text.count(" autofocus") == 1
        assert "Họ và tên" in text and "dd/mm/yyyy" in text
        opened = text.split('name="opened_at" value="')[1].split('"')[0]
        sent = browser.post(f"/keying/{rid}", data={**form.values, "opened_at": opened})
        assert sent.status_code == 303
        assert sent.headers["location"] == f"/keying?after={rid}"
        # Nothing left for this clerk on the form: it is not offered again.
        assert browser.get(f"/keying/{rid}").headers["location"] == f"/keying?after={rid}"
    with people.client("chi") as client:
        fields = client.get(f"/api/v1/keying/records/{rid}").json()["fields"]
    assert {f["status"] for f in fields} == {"one"}


def test_agreeing_entries_left_by_a_killed_server_fill_the_field_on_the_next_visit(
        people: People) -> None:
    """The entries are the state: two agreeing entries stored, the record never written
    (the server died in between), and the next opening of the record fills it."""
    from storage.keying import EntryKind, KeyedValue, KeyingEntry, append

    form = _seeded(people, "killed")
    rid = form.record.id
    store = open_store(people.server.settings.storage_url)
    path, value = "fields.birth_place", form.values["fields.birth_place"]
    for clerk in ("an", "binh"):
        def entry(entries: list[KeyingEntry], clerk: str = clerk) -> KeyingEntry:
            return KeyingEntry(rid, AGENCY, len(entries) + 1, EntryKind.KEYED,
                               _actor(people, clerk), "2026-12-04T09:00:00+00:00", 1,
                               (KeyedValue(path, value, value),))

        append(store, rid, entry)
    assert "birth_place" not in _record(people, rid)["fields"]
    with people.client("chi") as client:
        fields = client.get(f"/api/v1/keying/records/{rid}").json()["fields"]
    assert path not in {f["field"] for f in fields}  # filled, no longer waiting
    record = _record(people, rid)
    assert record["fields"]["birth_place"] == value and record["version"] == 2
