"""The web tests' home: letters, users of each role and their tokens, built once and copied."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from letters.service import Letters
from letters.settings import Settings

WEB_ROLES = ("reader", "archivist", "auditor", "admin")


#: One user per role, named after it, with this password.
WEB_PASSWORD = "{role}-password"


WEB_LETTERS = {
    "cloudflare-out.pdf": [
        "**COUNCIL OF EUROPE", "The Secretary General", "", "Strasbourg, 23 May 2018", "",
        "Mr Matthew Prince", "Chief Executive Officer", "Cloudflare, Inc.",
        "101 Townsend Street, San Francisco", "", "Dear Mr Prince,", "",
        "I am pleased to welcome Cloudflare to the Digital Partnership",
        "on human rights, democracy and the rule of law.", "", "Yours sincerely,", "",
        "Thorbjørn Jagland", "Secretary General"],
    "cloudflare-in.pdf": [
        "**Cloudflare, Inc.", "101 Townsend Street, San Francisco", "", "San Francisco, 30 May 2018",
        "", "Mr Thorbjørn Jagland", "Secretary General", "Council of Europe",
        "F-67075 Strasbourg Cedex", "", "Dear Secretary General,", "",
        "Thank you for your letter of 23 May 2018.",
        "Cloudflare is glad to join the Digital Partnership.", "", "Yours sincerely,", "",
        "Matthew Prince", "Chief Executive Officer, Cloudflare, Inc."],
    "google-out.pdf": [
        "**COUNCIL OF EUROPE", "The Secretary General", "", "Strasbourg, 8 November 2017", "",
        "Mr Kent Walker", "Senior Vice President", "Google LLC", "1600 Amphitheatre Parkway", "",
        "Dear Mr Walker,", "", "I am pleased to confirm the partnership on cybercrime",
        "and the protection of privacy.", "", "Yours sincerely,", "", "Thorbjørn Jagland",
        "Secretary General"],
    "ripe-fr.pdf": [
        "**CONSEIL DE L'EUROPE", "La Secrétaire Générale", "", "Strasbourg, le 6 février 2020", "",
        "Monsieur Hans Petter Holen", "Directeur général", "RIPE NCC",
        "Stationsplein 11, Amsterdam", "", "Monsieur le Directeur général,", "",
        "J'ai le plaisir de confirmer le partenariat numérique",
        "entre le Conseil de l'Europe et votre organisation.", "",
        "Je vous prie d'agréer l'expression de ma haute considération.", "",
        "Marija Pejčinović Burić", "Secrétaire Générale"],
}


#: A partner's reply that recognition reads completely (uploaded by the browser tests).
INTEL_REPLY = [
    "**Intel Corporation", "2200 Mission College Blvd, Santa Clara", "",
    "Santa Clara, 10 February 2020", "", "Ms Marija Pejčinović Burić", "Secretary General",
    "Council of Europe", "F-67075 Strasbourg Cedex", "", "Dear Secretary General,", "",
    "Intel is glad to join the Digital Partnership.", "", "Yours sincerely,", "",
    "Jane Example", "Vice President, Intel Corporation"]


@dataclass
class WebHome:
    """A home holding WEB_LETTERS and one user per role, with an API token each."""

    path: Path
    tokens: dict[str, str]
    ids: dict[str, str]  # file name -> letter id
    sources: dict[str, Path]  # file name -> the PDF that was ingested


def build_web_home(root: Path) -> WebHome:
    """Ingest WEB_LETTERS into a new home under `root` and add the users."""
    import pdfkit

    from letters.users import Users

    sources = root / "sources"
    sources.mkdir(parents=True)
    files = {name: pdfkit.write_text_pdf(sources / name, [lines])
             for name, lines in WEB_LETTERS.items()}
    settings = Settings(home=root / "home")
    results = Letters(settings).ingest(list(files.values()), by="setup")
    assert [r.result for r in results] == ["added"] * len(files), [r.error for r in results]
    users = Users(settings)
    tokens = {}
    for role in WEB_ROLES:
        users.add(role, role, WEB_PASSWORD.format(role=role), by="setup")
        tokens[role] = users.new_token(role, by="setup")
    ids = {name: r.letter.id for name, r in zip(files, results, strict=True) if r.letter}
    return WebHome(settings.home, tokens, ids, files)


def copy_web_home(template: WebHome, target: Path) -> WebHome:
    """A private copy of a WebHome (archive, index, users and tokens)."""
    shutil.copytree(template.path, target)
    return WebHome(target, dict(template.tokens), dict(template.ids), dict(template.sources))
