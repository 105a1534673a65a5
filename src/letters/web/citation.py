"""The citation line of a letter, in the form legal staff paste into their documents."""

from __future__ import annotations

import re

from letters.messages import joined
from letters.models import Letter, Partner, SecretaryGeneral
from letters.textnorm import fold
from letters.web.languages import long_date
from letters.web.saying import gettext

COE_SG = "Secretary General of the Council of Europe"


def partner_name(partner: Partner, letter: Letter, text: str) -> str:
    """The partner's name as the letter writes it, else the name in use on its date."""
    names = sorted(partner.names(), key=lambda n: len(n.name), reverse=True)
    for source in (joined(letter.evidence.get("partner", [])), text):
        haystack = fold(source)
        for name in names:
            if re.search(r"(?<!\w)" + re.escape(fold(name.name)) + r"(?!\w)", haystack):
                return name.name
    if letter.date:
        for name in partner.aliases:
            if (name.since or "") <= letter.date <= (name.until or "9999") and (
                    name.since or name.until):
                return name.name
    return partner.name


def citation(letter: Letter, partner: Partner | None, sg: SecretaryGeneral | None,
             text: str = "", lang: str = "en") -> str:
    """'Letter from <SG>, Secretary General of the Council of Europe, to <partner>, Strasbourg,
    <date>' for the Council's letters; 'Letter from <signer>, <partner>, to <SG>, ...' for replies
    (in `lang`: the sentences are msgids of the messages catalog)."""
    def _(msgid: str, **parts: object) -> str:
        return gettext(msgid, lang, **parts)

    who = partner_name(partner, letter, text) if partner else _("an unidentified organisation")
    sg_part = (_("{name}, Secretary General of the Council of Europe", name=sg.name) if sg
               else _("the Secretary General of the Council of Europe"))
    when = long_date(letter.date, lang) or _("undated")
    if letter.direction == "outgoing":
        signer = ""
        if sg and letter.signed_by and fold(sg.name.split()[-1]) not in fold(letter.signed_by):
            signer = _(" (signed by {name})", name=letter.signed_by)
        return _("Letter from {sg_part}{signer}, to {who}, Strasbourg, {when}", sg_part=sg_part,
                 signer=signer, who=who, when=when)
    if letter.direction == "incoming":
        sender = f"{letter.signed_by}, {who}" if letter.signed_by else who
        return _("Letter from {sender}, to {sg_part}, {when}", sender=sender, sg_part=sg_part,
                 when=when)
    return _("Letter between {who} and the {coe_sg}, {when}", who=who,
             coe_sg=_(COE_SG), when=when)
