"""The registry: the reference facts as data, and archivists' extensions that persist."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from letters import registry
from letters.models import Letter
from support.processes import invoke

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "partners.md"


def reference_slugs() -> list[str]:
    """The slugs of the 27 partners table of the shared reference."""
    text = REFERENCE.read_text(encoding="utf-8").split("## The 27 partners")[1]
    return [line.split("`")[1] for line in text.splitlines() if line.startswith("| `")]


def test_registry_matches_the_reference(tmp_path: Path) -> None:
    loaded = registry.load(tmp_path)
    assert sorted(loaded.partners) == sorted(reference_slugs())
    assert len(loaded.partners) == 27
    assert sorted(loaded.secretaries_general) == ["berset", "jagland", "pejcinovic-buric"]
    assert sum(len(r.partners) for r in loaded.rounds) == 26  # all but AT&T, whose date is unknown
    assert loaded.partners["att"].joined is None and loaded.partners["att"].joined_status == "unknown"
    assert loaded.partners["meta"].joined == "2017-11-08"
    facebook = next(a for a in loaded.partners["meta"].aliases if a.name == "Facebook")
    assert facebook.until == "2021-10-27"
    assert loaded.sg_in_office("2019-09-17").slug == "jagland"
    assert loaded.sg_in_office("2019-09-18").slug == "pejcinovic-buric"
    assert loaded.sg_in_office("2026-01-01").slug == "berset"


def test_add_partner_and_alias_persist_in_the_archive(tmp_path: Path) -> None:
    registry.add_partner(tmp_path, "acme", "Acme Widgets", "company", by="archivist")
    registry.add_alias(tmp_path, "acme", "Acme Ltd", by="archivist", until="2019-12-31")
    loaded = registry.load(tmp_path)
    assert loaded.partners["acme"].name == "Acme Widgets"
    assert [(a.name, a.until) for a in loaded.partners["acme"].aliases] == [("Acme Ltd", "2019-12-31")]
    lines = (tmp_path / registry.CHANGES_FILE).read_text().splitlines()
    assert [json.loads(x)["op"] for x in lines] == ["add_partner", "add_alias"]


@pytest.mark.parametrize(("slug", "name", "kind", "message"), [
    ("Bad Slug", "X", "company", "not a valid slug"),
    ("apple", "Apple again", "company", "already exists"),
    ("newco", "New", "government", "kind must be"),
    ("newco", "  ", "company", "must not be empty"),
])
def test_bad_registry_changes_are_refused(tmp_path: Path, slug: str, name: str, kind: str,
                                          message: str) -> None:
    with pytest.raises(registry.RegistryError, match=message):
        registry.add_partner(tmp_path, slug, name, kind, by="archivist")
    assert not (tmp_path / registry.CHANGES_FILE).exists()


def test_cli_partners(tmp_path: Path) -> None:
    """The commands' output in this process; the real command in a process of its own registers
    a partner in test_catalog and lists proposals in test_decisions."""
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return invoke(tmp_path, *args)

    listed = json.loads(cli("partners", "--json").stdout)
    assert len(listed) == 27
    assert set(listed[0]) >= {"slug", "name", "kind", "aliases", "joined", "letters"}
    assert cli("partners", "add", "acme", "--name", "Acme", "--kind", "company").returncode == 0
    assert cli("partners", "alias", "acme", "Acme Widgets Ltd", "--from", "2020-01-01").returncode == 0
    refused = cli("partners", "alias", "nobody", "X")
    assert refused.returncode == 2 and "no partner with the slug 'nobody'" in refused.stderr
    acme = next(p for p in json.loads(cli("partners", "--json").stdout) if p["slug"] == "acme")
    assert acme["aliases"] == ["Acme Widgets Ltd"] and acme["letters"] == 0


@pytest.mark.parametrize(("since", "until"), [("2020-13-01", None), (None, "20/01/2020"),
                                              ("2021-01-01", "2020-01-01")])
def test_bad_alias_dates_are_refused(tmp_path: Path, since: str | None, until: str | None) -> None:
    with pytest.raises(registry.RegistryError):
        registry.add_alias(tmp_path, "meta", "Facebook Ireland", by="archivist", since=since, until=until)
    assert not (tmp_path / registry.CHANGES_FILE).exists()


def test_a_name_belongs_to_one_partner_at_a_time(tmp_path: Path) -> None:
    with pytest.raises(registry.RegistryError, match="'Element AI' is already a name of "
                                                    "ServiceNow \\(servicenow\\)"):
        registry.add_partner(tmp_path, "element", "Element AI", "company", by="marie")
    registry.add_partner(tmp_path, "zeta", "Zeta Networks", "company", by="marie")
    with pytest.raises(registry.RegistryError, match="'AT&T Inc.' is already a name of AT&T"):
        registry.add_alias(tmp_path, "zeta", "AT&T Inc.", by="marie")
    with pytest.raises(registry.RegistryError, match="already a name of Zeta Networks"):
        registry.add_alias(tmp_path, "zeta", "ZETA networks", by="marie")
    registry.add_alias(tmp_path, "zeta", "Zeta Networks GmbH", by="marie")  # its own, close: fine
    names = [n.name for n in registry.load(tmp_path).partners["zeta"].names()]
    assert names == ["Zeta Networks", "Zeta Networks GmbH"]
    assert "AT&T Inc." not in (tmp_path / registry.CHANGES_FILE).read_text(encoding="utf-8")


def test_a_name_close_to_another_partners_is_asked_first(tmp_path: Path) -> None:
    with pytest.raises(registry.CloseName, match="'Google Ireland Limited' looks like Google: "
                                                "add it as a name of Google instead") as asked:
        registry.add_partner(tmp_path, "google-ireland", "Google Ireland Limited", "company",
                             by="marie")
    assert asked.value.partner.slug == "google"
    assert "google-ireland" not in registry.load(tmp_path).partners
    registry.add_partner(tmp_path, "google-ireland", "Google Ireland Limited", "company",
                         by="marie", force=True)
    assert "google-ireland" in registry.load(tmp_path).partners

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return invoke(tmp_path, *args)

    (tmp_path / "archive").mkdir()
    refused = cli("partners", "add", "orange-business", "--name", "Orange Business", "--kind",
                  "company")
    assert refused.returncode == 2 and "looks like Orange" in refused.stderr
    assert "--force" in refused.stderr
    assert cli("partners", "add", "orange-business", "--name", "Orange Business", "--kind",
               "company", "--force").returncode == 0
    held = cli("partners", "alias", "orange-business", "Orange S.A.", "--force")
    assert held.returncode == 2 and "already a name of Orange (orange)" in held.stderr


def test_a_citation_names_the_partner_as_the_letter_does_else_by_its_name_on_the_date(
        tmp_path: Path) -> None:
    registry.add_partner(tmp_path, "zeta", "Zeta Networks", "company", by="marie")
    registry.add_alias(tmp_path, "zeta", "Zeta Telecom", by="marie", since="2015-01-01",
                       until="2019-12-31")
    registry.add_alias(tmp_path, "zeta", "ZN", by="marie")
    zeta = registry.load(tmp_path).partners["zeta"]

    def letter(date: str | None) -> Letter:
        return Letter(id="0" * 16, sha256="0" * 64, filename="x.pdf", pages=1, partner="zeta",
                      signatory=None, signed_by=None, date=date, direction="incoming",
                      language="en", ocr=False, digital_signatures=[], status="ok",
                      added_at="2021-01-01T00:00:00Z", added_by="marie")

    assert registry.name_in_letter(zeta, letter("2017-05-02"), "") == "Zeta Telecom"
    assert registry.name_in_letter(zeta, letter("2021-05-02"), "") == "Zeta Networks"
    assert registry.name_in_letter(zeta, letter(None), "") == "Zeta Networks"
    written = "Yours, for ZETA NETWORKS and its staff"  # as written, whatever the date
    assert registry.name_in_letter(zeta, letter("2017-05-02"), written) == "Zeta Networks"
    assert registry.name_in_letter(zeta, letter("2021-05-02"), "from zn's office") == "ZN"
