"""A partner's founding exchange changes only by a person's decision: whatever writes a letter
(CLI ingest, web upload, API upload, correction, relink, registry change), a different founding
exchange becomes a pairing proposal that an archivist accepts or dismisses (`decisions`, the
catalog's pairing step); copies of archived letters go to review (`copies`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pdfkit
import pytest
from PIL import Image

from letters.pairing import decisions
from letters.preservation import audit
from letters.service import Letters
from letters.settings import Settings
from support.api import client
from support.disk import read_only
from support.processes import invoke, run
from support.server import LiveServer
from support.web import browser, csrf_of, text_of
from support.webhome import WebHome

SPECIMENS = Path(__file__).resolve().parent.parent / "specimens"


def cloudflare_reply(day: str, cites: str, signer: str, words: str) -> bytes:
    """A reply of Cloudflare that recognition reads completely."""
    return pdfkit.text_pdf([[
        "**Cloudflare, Inc.", "101 Townsend Street, San Francisco", "", f"San Francisco, {day}",
        "", "Mr Thorbjørn Jagland", "Secretary General", "Council of Europe",
        "F-67075 Strasbourg Cedex", "", "Dear Secretary General,", "",
        f"Thank you for your letter of {cites}.", words, "", "Yours sincerely,", "",
        signer, "Chief Executive Officer, Cloudflare, Inc."]])


def sg_letter(day: str, words: str) -> bytes:
    """A letter of the Secretary General to Cloudflare."""
    return pdfkit.text_pdf([[
        "**COUNCIL OF EUROPE", "The Secretary General", "", f"Strasbourg, {day}", "",
        "Mr Matthew Prince", "Chief Executive Officer", "Cloudflare, Inc.",
        "101 Townsend Street, San Francisco", "", "Dear Mr Prince,", "", words, "",
        "Yours sincerely,", "", "Thorbjørn Jagland", "Secretary General"]])


def founding_ids(server: LiveServer, home: WebHome, slug: str) -> list[str]:
    """The ids of the partner's founding documents, as the API gives them."""
    with client(server, home, "reader") as api:
        detail = api.get(f"/api/partners/{slug}").json()
    return [x["id"] for x in detail["founding_documents"]]


def proposal_of(server: LiveServer, home: WebHome, slug: str) -> dict | None:  # type: ignore[type-arg]
    """The partner's pairing proposal, as the API gives it."""
    with client(server, home, "reader") as api:
        found: dict | None = api.get(f"/api/partners/{slug}").json()["pairing_proposal"]  # type: ignore[type-arg]
    return found


def test_every_write_path_keeps_the_founding_exchange_until_a_person_decides(
        fresh: tuple[LiveServer, WebHome], tmp_path: Path) -> None:
    server, home = fresh
    out, reply = home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]
    held = [out, reply]
    assert founding_ids(server, home, "cloudflare") == held
    assert proposal_of(server, home, "cloudflare") is None

    # CLI ingest: a reply dated the day of the letter, citing it, pairs closer than the reply held
    closer = tmp_path / "closer.pdf"
    closer.write_bytes(cloudflare_reply("23 May 2018", "23 May 2018", "Michelle Zatlyn",
                                        "Cloudflare confirms its wish to join."))
    ingested = invoke(home.path, "ingest", "--json", str(closer))
    assert ingested.returncode == 0, ingested.stderr
    assert founding_ids(server, home, "cloudflare") == held
    proposal = proposal_of(server, home, "cloudflare")
    assert proposal is not None and [x["signed_by"] for x in proposal["proposed"]["letters"]] == [
        "Thorbjørn Jagland", "Michelle Zatlyn"]
    assert "Michelle Zatlyn" in proposal["summary"] and "Matthew Prince" in proposal["summary"]

    # web upload (the form): an earlier exchange, both letters at once
    with browser(server, "archivist") as http:
        token = csrf_of(http.get("/upload").text)
        uploaded = http.post("/upload", data={"csrf": token}, files=[
            ("file", ("early-out.pdf", sg_letter("2 May 2018", "An early letter."),
                      "application/pdf")),
            ("file", ("early-in.pdf", cloudflare_reply("3 May 2018", "2 May 2018", "Lee Holloway",
                                                       "An early reply."), "application/pdf"))])
        assert uploaded.status_code == 200, uploaded.text
    assert founding_ids(server, home, "cloudflare") == held
    assert "Lee Holloway" in proposal_of(server, home, "cloudflare")["summary"]  # type: ignore[index]

    # API upload: an earlier one still
    with client(server, home, "archivist") as api:
        answer = api.post("/api/letters", files=[
            ("file", ("earlier-out.pdf", sg_letter("1 March 2018", "An earlier letter."),
                      "application/pdf")),
            ("file", ("earlier-in.pdf", cloudflare_reply("2 March 2018", "1 March 2018",
                                                         "Doug Kramer", "An earlier reply."),
                      "application/pdf"))])
        assert answer.status_code == 201, answer.text
        earlier = [x["id"] for x in answer.json()]
        assert founding_ids(server, home, "cloudflare") == held

        # correction: without confirming, a change of the founding exchange is refused...
        refused = api.patch(f"/api/letters/{reply}", json={"partner": "google"})
        assert refused.status_code == 422 and "founding exchange" in refused.json()["detail"]
        # ...and one that only moves what pairing gives is saved, the founding exchange held
        moved = api.patch(f"/api/letters/{earlier[1]}", json={"date": "2018-03-30"})
        assert moved.status_code == 200, moved.text
        assert founding_ids(server, home, "cloudflare") == held

        # relink: moving a founding letter to another partner asks first
        relinked = api.post("/api/partners/google/relink", json={"ids": [reply]})
        assert relinked.status_code == 422, relinked.text
        assert founding_ids(server, home, "cloudflare") == held

        # registry change: a new name of the partner re-pairs it, and changes nothing held
        named = api.post("/api/partners/cloudflare/names", json={"name": "Cloudflare Europe"})
        assert named.status_code == 201, named.text
        assert founding_ids(server, home, "cloudflare") == held

    # the archive's state alone gives the same founding exchange and proposal (index/ rebuilt)
    before = proposal_of(server, home, "cloudflare")
    assert invoke(home.path, "reindex").returncode == 0
    assert founding_ids(server, home, "cloudflare") == held
    assert proposal_of(server, home, "cloudflare") == before
    actions = [e["action"] for e in audit.events(home.path / "archive")]
    assert not {"pairing_accepted", "pairing_dismissed"} & set(actions)


def ingest_a_closer_reply(home: WebHome, tmp_path: Path) -> None:
    """Ingest a reply of Cloudflare's closer in date to its letter: a pairing proposal."""
    closer = tmp_path / "closer.pdf"
    closer.write_bytes(cloudflare_reply("23 May 2018", "23 May 2018", "Michelle Zatlyn",
                                        "Cloudflare confirms its wish to join."))
    assert invoke(home.path, "ingest", str(closer)).returncode == 0


def test_an_archivist_accepts_or_dismisses_a_proposal(fresh: tuple[LiveServer, WebHome],
                                                       tmp_path: Path) -> None:
    server, home = fresh
    out, reply = home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]
    ingest_a_closer_reply(home, tmp_path)
    with browser(server, "reader") as http:
        page = http.get("/partners/cloudflare").text
    said = text_of(page)
    assert "A change of founding exchange is proposed" in said
    assert "the letter of 23 May 2018 from Cloudflare, signed by Michelle Zatlyn" in said
    assert 'action="/partners/cloudflare/pairing-proposal"' not in page  # readers do not decide
    with browser(server, "archivist") as http:
        queue = text_of(http.get("/review").text)
        assert "Proposed changes of founding exchange" in queue and "Michelle Zatlyn" in queue
        french = text_of(http.get("/partners/cloudflare?lang=fr").text)
        assert "Un changement d’échange fondateur est proposé" in french
        assert "la lettre du 23 mai 2018 de Cloudflare, signée par Michelle Zatlyn" in french
        page = http.get("/partners/cloudflare?lang=en").text
        assert 'action="/partners/cloudflare/pairing-proposal"' in page
        # a decision on a proposal that is not the one shown is not taken
        stale = http.post("/partners/cloudflare/pairing-proposal", data={
            "csrf": csrf_of(page), "action": "accept", "proposed": f"{out},{reply}"})
        assert stale.status_code == 303 and "proposal=changed" in stale.headers["location"]
        assert founding_ids(server, home, "cloudflare") == [out, reply]
        proposed = proposal_of(server, home, "cloudflare")
        assert proposed is not None
        new_ids = [x["id"] for x in proposed["proposed"]["letters"]]
        done = http.post("/partners/cloudflare/pairing-proposal", data={
            "csrf": csrf_of(page), "action": "accept", "proposed": ",".join(new_ids)})
        assert done.status_code == 303
        assert founding_ids(server, home, "cloudflare") == new_ids
        after = text_of(http.get("/partners/cloudflare").text)
        assert "archivist confirmed that these two letters form the exchange" in after
        assert "no person has confirmed" not in after
    assert proposal_of(server, home, "cloudflare") is None
    [event] = [e for e in audit.events(home.path / "archive") if e["action"] == "pairing_accepted"]
    assert event["who"] == "archivist"
    assert (event["what"]["before"], event["what"]["after"]) == ([out, reply], new_ids)

    # the genuine reply back, by the same rule: its proposal is dismissed over the API, then
    # accepted from the command line once the held exchange is taken apart by hand
    with client(server, home, "archivist") as api:
        assert api.put(f"/api/letters/{reply}/exchange", json={"other": out}).status_code == 200
        assert founding_ids(server, home, "cloudflare") == [out, reply]
        assert proposal_of(server, home, "cloudflare") is None
        assert api.post("/api/partners/cloudflare/pairing-proposal",
                        json={"decision": "dismiss"}).status_code == 404
    late = tmp_path / "late.pdf"
    late.write_bytes(sg_letter("1 March 2018", "An earlier letter."))
    late_reply = tmp_path / "late-reply.pdf"
    late_reply.write_bytes(cloudflare_reply("2 March 2018", "1 March 2018", "Doug Kramer",
                                            "An earlier reply."))
    assert invoke(home.path, "ingest", str(late), str(late_reply)).returncode == 0
    assert founding_ids(server, home, "cloudflare") == [out, reply]
    with client(server, home, "archivist") as api:
        dismissed = api.post("/api/partners/cloudflare/pairing-proposal",
                             json={"decision": "dismiss"})
        assert dismissed.status_code == 200, dismissed.text
        assert dismissed.json()["founding_exchange"]["incoming"] == reply
    assert proposal_of(server, home, "cloudflare") is None
    assert invoke(home.path, "reindex").returncode == 0  # a dismissal is kept in the archive
    assert proposal_of(server, home, "cloudflare") is None
    assert founding_ids(server, home, "cloudflare") == [out, reply]
    [event] = [e for e in audit.events(home.path / "archive") if e["action"] == "pairing_dismissed"]
    assert event["what"]["before"] == event["what"]["after"] == [out, reply]
    assert (home.path / "archive" / decisions.FILE).exists()


def test_the_command_line_lists_and_accepts_proposals(app: Letters, tmp_path: Path) -> None:
    letters = [SPECIMENS / "2018-05-23-euroispa-outgoing.pdf",
               SPECIMENS / "2017-11-08-deutsche-telekom-outgoing.pdf",
               SPECIMENS / "2017-11-08-deutsche-telekom-incoming.pdf"]
    assert [r.result for r in app.ingest(letters, by="setup")] == ["added"] * 3
    home = app.settings.home
    # a reply of EuroISPA that needs review never enters the founding exchange by itself
    misread = SPECIMENS / "elsewhere" / "2018-05-25-euroispa-reply-misread.pdf"
    assert invoke(home, "ingest", str(misread)).returncode == 0
    listed = run(home, "partners", "proposal")  # the command in a process of its own
    assert listed.returncode == 0, listed.stderr
    assert "euroispa: The founding exchange of EuroISPA is the Secretary General's letter of" \
           in listed.stdout and "signed by Ana Lindqvist-Moreau" in listed.stdout
    fresh = Letters(Settings(home=home))
    [founding] = [x.ids() for x in [fresh.founding_documents("euroispa")] if x]
    assert len(founding) == 1
    accepted = invoke(home, "partners", "proposal", "euroispa", "--accept")
    assert accepted.returncode == 0, accepted.stderr
    again = Letters(Settings(home=home))
    now = again.founding_documents("euroispa")
    assert now is not None and now.complete and now.confirmed_by
    assert invoke(home, "partners", "proposal", "euroispa", "--dismiss").returncode == 2
    assert invoke(home, "partners", "proposal", "--accept").returncode == 2


def test_an_upload_of_the_misread_euroispa_reply_leaves_the_founding_reply(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    setup = Letters(Settings(home=home.path))
    added = setup.ingest([SPECIMENS / "2018-05-23-euroispa-outgoing.pdf",
                          SPECIMENS / "2018-05-23-euroispa-incoming.pdf"], by="setup")
    genuine = [r.letter.id for r in added if r.letter]
    assert founding_ids(server, home, "euroispa") == genuine
    with browser(server, "archivist") as http:
        token = csrf_of(http.get("/upload").text)
        misread = SPECIMENS / "elsewhere" / "2018-05-25-euroispa-reply-misread.pdf"
        answer = http.post("/upload", data={"csrf": token}, files=[
            ("file", (misread.name, misread.read_bytes(), "application/pdf"))])
        assert answer.status_code == 200
        page = http.get("/partners/euroispa").text
    assert founding_ids(server, home, "euroispa") == genuine
    said = text_of(page)
    founding = said.split("Founding documents", 1)[1].split("Other exchanges", 1)[0]
    assert "A change of founding exchange is proposed" in founding
    assert "signed by Ana Lindqvist-Moreau" in founding  # named in the proposal only
    with client(server, home, "reader") as api:
        detail = api.get("/api/partners/euroispa").json()
    assert "Ana Lindqvist-Moreau" not in {x["signed_by"] for x in detail["founding_documents"]}
    uploads = [e for e in audit.events(home.path / "archive") if e["who"] == "archivist"
               and e["action"] != "login"]
    assert [e["action"] for e in uploads] == ["upload"]


def scan_of(pdf: Path, out: Path) -> Path:
    """A scan of a typed letter: its page rendered to an image and wrapped in a PDF of its own."""
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(out / "page")],
                   check=True, timeout=120)
    with Image.open(out / "page.png") as image:
        data = pdfkit.image_pdf([image.convert("L")])
    target = out / f"scan-of-{pdf.name}"
    target.write_bytes(data)
    return target


@pytest.mark.ocr
@pytest.mark.ocr  # Tesseract reads the scan: the ocr tier, which `make check` leaves out
def test_a_scan_of_an_archived_letter_is_a_copy_in_review(app: Letters, tmp_path: Path) -> None:
    incoming = SPECIMENS / "2017-11-08-deutsche-telekom-incoming.pdf"
    outgoing = SPECIMENS / "2017-11-08-deutsche-telekom-outgoing.pdf"
    first = app.ingest([outgoing, incoming], by="setup")
    held = [r.letter.id for r in first if r.letter]
    scan = scan_of(incoming, tmp_path)
    ingested = invoke(app.settings.home, "ingest", "--json", str(scan))
    assert ingested.returncode == 0, ingested.stderr
    again = Letters(Settings(home=app.settings.home))
    [copy] = [x for x in again.catalog.letters_of_partner("deutsche-telekom")
              if x.id not in held]
    assert copy.status == "needs_review" and copy.ocr
    assert [str(r) for r in copy.reasons if r.code == "reason.copy_of_in"] == [
        "This looks like a copy of the letter of 2017-11-08 from Deutsche Telekom, which is "
        "archived already; compare the two before filing it."]
    founding = again.founding_documents("deutsche-telekom")
    assert founding is not None and founding.ids() == held
    # the same bytes again stay a duplicate
    assert [r.result for r in again.ingest([scan], by="setup")] == ["duplicate"]


def test_a_second_letter_of_the_same_partner_direction_and_date_goes_to_review(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    with client(server, home, "archivist") as api:
        answer = api.post("/api/letters", files=[(
            "file", ("again.pdf", sg_letter("23 May 2018", "Another text altogether, about the "
                                                         "timetable of the first meeting."),
                     "application/pdf"))])
        assert answer.status_code == 201, answer.text
        [record] = answer.json()
    assert record["status"] == "needs_review"
    assert "Another letter of the Secretary General of 2018-05-23 to Cloudflare is archived" \
           in " ".join(record["reasons"])
    with browser(server, "archivist") as http:
        french = text_of(http.get(f"/letters/{record['id']}?lang=fr").text)
    assert "Une autre lettre du Secrétaire Général du 23 mai 2018 à Cloudflare" in french


def test_saving_anyway_a_change_of_founding_exchange_shows_who_confirmed_it(
        fresh: tuple[LiveServer, WebHome]) -> None:
    server, home = fresh
    with client(server, home, "archivist") as api:
        answer = api.post("/api/letters", files=[("file", (
            "stray.pdf", cloudflare_reply("24 May 2018", "23 May 2018", "Michelle Zatlyn",
                                          "Cloudflare confirms its wish to join."),
            "application/pdf"))])
        assert answer.status_code == 201, answer.text
        [stray] = [x["id"] for x in answer.json()]
        assert api.patch(f"/api/letters/{stray}", json={"partner": "google"}).status_code == 200
    out = home.ids["cloudflare-out.pdf"]
    with browser(server, "archivist") as http:
        page = http.get(f"/letters/{stray}").text
        asked = http.post(f"/letters/{stray}/correct", data={"csrf": csrf_of(page),
                                                             "partner": "cloudflare"})
        assert asked.status_code == 422 and 'name="confirm_pairing" value="1"' in asked.text
        saved = http.post(f"/letters/{stray}/correct", data={
            "csrf": csrf_of(page), "partner": "cloudflare", "confirm_pairing": "1"})
        assert saved.status_code == 303
        said = text_of(http.get("/partners/cloudflare").text)
    assert founding_ids(server, home, "cloudflare") == [out, stray]
    founding = said.split("Founding documents", 1)[1].split("Other exchanges", 1)[0]
    assert "archivist confirmed that these two letters form the exchange" in founding
    assert "no person has confirmed" not in founding


def test_a_decision_on_a_read_only_archive_is_refused_with_a_sentence_and_changes_nothing(
        fresh: tuple[LiveServer, WebHome], tmp_path: Path) -> None:
    server, home = fresh
    out, reply = home.ids["cloudflare-out.pdf"], home.ids["cloudflare-in.pdf"]
    ingest_a_closer_reply(home, tmp_path)
    assert proposal_of(server, home, "cloudflare") is not None
    with browser(server, "archivist") as http, client(server, home, "archivist") as api:
        page = http.get("/partners/cloudflare").text
        proposed = ",".join(x["id"] for x in proposal_of(server, home, "cloudflare")["proposed"]
                            ["letters"])  # type: ignore[index]
        with read_only(home.path / "archive"):
            answer = api.post("/api/partners/cloudflare/pairing-proposal",
                              json={"decision": "accept"})
            french = api.post("/api/partners/cloudflare/pairing-proposal",
                              json={"decision": "accept"}, headers={"Accept-Language": "fr"})
            form = http.post("/partners/cloudflare/pairing-proposal", data={
                "csrf": csrf_of(page), "action": "accept", "proposed": proposed})
    reason = ("the disk is read-only" if os.geteuid() == 0
              else "this program may not write there")
    assert answer.status_code == 503, answer.text
    assert answer.json() == {"code": "refusal.not_written", "detail": (
        f"This could not be saved: {reason}. What the archive held before is unchanged; ask the "
        "administrator to make the disk writable or give it room, then try again.")}
    assert french.json()["detail"].startswith("Rien n’a pu être enregistré : le disque")
    assert form.status_code == 503 and f"This could not be saved: {reason}." in text_of(form.text)
    assert founding_ids(server, home, "cloudflare") == [out, reply]
    assert proposal_of(server, home, "cloudflare") is not None
    assert not [e for e in audit.events(home.path / "archive") if e["action"].startswith("pairing")]
