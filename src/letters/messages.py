"""What the domain says to people, as codes with parameters, and their English.

A `Message` is a code (`reason.date_not_found`) and its parameters (`{"date": "2031-01-01"}`);
a parameter may itself be a message (the zone of a letter, a change of office). The command line
and the JSON answers write its English (`str(message)`, from `ENGLISH`); the web layer writes it in
the reader's language from the gettext catalogs, where each code is a msgctxt whose msgid is the
English below (`scripts/catalogs.py` copies this table into `locales/messages.pot`).

Records stored before codes existed hold English sentences: they are read as messages of the
code `""` (the sentence as written, `text`), written back as they were, and translated by finding
the catalog's English they are an instance of.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

#: A sentence stored as English before codes existed: its only parameter is `text`.
WRITTEN = ""

Param = Union[str, int, "Message"]


@dataclass(frozen=True, eq=False)
class Message:
    """Something the domain says: a code of `ENGLISH` and the values of its `{names}`."""

    code: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def __str__(self) -> str:
        """The message in English."""
        if self.code == WRITTEN:
            return str(self.params.get("text", ""))
        values = {k: str(v) for k, v in self.params.items()}
        return ENGLISH.get(self.code, self.code).format(**values)

    def __eq__(self, other: object) -> bool:
        """Messages are equal when they say the same (an old record's sentence equals its code)."""
        return isinstance(other, Message) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def to_record(self) -> str | dict[str, Any]:
        """The stored form: `{"code", "params"}`, or the sentence of an old record as it was."""
        if self.code == WRITTEN:
            return str(self)
        return {"code": self.code,
                "params": {k: v.to_record() if isinstance(v, Message) else v
                           for k, v in self.params.items()}}

    @classmethod
    def from_record(cls, data: Any) -> Message:
        """A message from its stored form (an English sentence in records made before codes; a
        code this version does not know is kept, and said as the code itself)."""
        if isinstance(data, dict) and isinstance(data.get("code"), str) and data["code"]:
            params = data.get("params") or {}
            return cls(str(data["code"]), {str(k): v if isinstance(v, (str, int)) else
                                           cls.from_record(v) for k, v in params.items()})
        return cls(WRITTEN, {"text": data if isinstance(data, str) else str(data)})


def msg(code: str, **params: Param) -> Message:
    """The message `code` with its parameters (a code missing from `ENGLISH` is a KeyError)."""
    ENGLISH[code]  # noqa: B018 - fail where the message is made, not where it is shown
    return Message(code, params)


def written(text: str) -> Message:
    """A sentence that has no code (an old record's, or the text of an outside error)."""
    return Message(WRITTEN, {"text": text})


def joined(parts: Iterable[Message]) -> str:
    """Several messages in English, as one line."""
    return "; ".join(str(part) for part in parts)


def parts_from_record(data: Any) -> list[Message]:
    """Messages from their stored form: a list, or one old English line joined by '; '."""
    if isinstance(data, list):
        return [Message.from_record(item) for item in data]
    return [written(str(data))] if data else []


def parts_to_record(parts: list[Message]) -> Any:
    """The stored form of several messages: an old record's line as it was, else a list."""
    if len(parts) == 1 and parts[0].code == WRITTEN:
        return str(parts[0])
    return [part.to_record() for part in parts]


#: The first part of every code: what the domain says (an interface key never starts so).
KINDS = ("zone", "title", "reason", "evidence", "refusal", "integrity", "query", "user", "missing",
         "pairing", "naming")

#: The English of every code, with `{names}` for its parameters (python-brace-format).
ENGLISH: dict[str, str] = {
    # parts of a letter, named in sentences
    "zone.addressee_block": "addressee block",
    "zone.signature_block": "signature block",
    "zone.letterhead": "letterhead",
    "zone.heading": "heading",
    # a letter's title as recognition words it (an archivist's corrected title is their own text)
    "title.from_to": "Letter from {writer} to {recipient}",
    "title.from": "Letter from {writer}",
    "title.from_to_sg": "Letter from {writer} to the Secretary General",
    "title.to": "Letter to {recipient}",
    "title.other": "Letter {name}",
    "title.not_letter_from": "Document from {writer}, not recognised as a letter",
    "title.not_letter": "Document not recognised as a letter",
    # why a letter needs review
    "reason.date_not_found": "The letter's own date was not found.",
    "reason.date_in_future": "The date {date} is in the future.",
    "reason.direction_unclear": "It is not clear whether the letter comes from the Council of "
                                "Europe or is addressed to it.",
    "reason.name_not_in_use": "The name '{name}' was used for {partner} {when}, not on {date}.",
    "reason.name_only_from": "only from {date}",
    "reason.name_only_until": "only until {date}",
    "reason.sender_not_registered_headed": "The sender is not a registered partner (the letter "
                                           "is headed '{sender}').",
    "reason.sender_not_registered": "The sender is not a registered partner.",
    "reason.no_partner_in_addressee": "No registered partner is named in the addressee block.",
    "reason.no_partner": "No registered partner was recognised.",
    "reason.no_sg": "The Secretary General could not be recognised.",
    "reason.sg_not_in_office": "{sg} was not Secretary General on {date}.",
    "reason.no_signer": "The name of the person who signed was not found.",
    "reason.several_partners": "Several partners are named in the {zone} ({names}); check which "
                               "one the letter is exchanged with.",
    "reason.zones_disagree": "The {other_zone} names {others} but the {zone} names '{name}'; "
                             "check which partner the letter is exchanged with.",
    "reason.close_to_several": "The {zone} has '{text}', which is close to the names of several "
                               "partners ({names}); check which one the letter is exchanged with.",
    "reason.close_match_only": "The partner was recognised by a close match only: '{text}' in "
                               "the {zone} was read as '{name}'; confirm the partner.",
    "reason.signer_is_organisation": "The signature block's '{name}' names an organisation, not "
                                     "a person.",
    "reason.unknown_signer": "The signature block has the name '{name}', which is not a "
                             "registered Secretary General's; check who signed the letter.",
    "reason.ocr_unsure_date": "OCR was unsure of the date '{value}' (it read {words} with little "
                              "confidence); check it against the original.",
    "reason.ocr_unsure_signer": "OCR was unsure of the signer's name '{value}' (it read {words} "
                                "with little confidence); check it against the original.",
    "reason.near_change_of_office": "The Secretary General is not named and the letter's date "
                                    "{date} is close to a change of office ({when}); check which "
                                    "Secretary General it belongs to.",
    "reason.took_office": "{name} took office on {date}",
    "reason.term_ended": "{name}'s term ended on {date}",
    "reason.other_kind": "This does not read as a letter but as {kind} (it says '{said}'); check "
                         "whether it belongs in the archive and what it is about.",
    "reason.kind_press_release": "a press release or statement",
    "reason.kind_speech": "a speech",
    "reason.kind_communication": "a communication of the Secretary General",
    "reason.speech_ending": "This does not read as a letter but as a speech (it ends '{ending}'); "
                            "check whether it belongs in the archive.",
    "reason.speech_opening": "This does not read as a letter but as a speech (it opens "
                             "'{audience}' and has no closing formula); check whether it belongs "
                             "in the archive.",
    "reason.no_letter_form": "This does not read as a letter: it has neither a salutation nor a "
                             "closing formula; check whether it belongs in the archive.",
    "reason.scanned_without_text": "scanned: text needs OCR",
    "reason.ocr_low_confidence": "OCR confidence is low ({confidence}%): check the text",
    "reason.ocr_unavailable": "OCR unavailable: install {tool} (Debian: tesseract-ocr "
                              "tesseract-ocr-fra poppler-utils)",
    "reason.ocr_unavailable_both": "OCR unavailable: install tesseract and pdftoppm (Debian: "
                                   "tesseract-ocr tesseract-ocr-fra poppler-utils)",
    "reason.copy_of_in": "This looks like a copy of the letter of {date} from {partner}, which is "
                         "archived already; compare the two before filing it.",
    "reason.copy_of_out": "This looks like a copy of the Secretary General's letter of {date} to "
                          "{partner}, which is archived already; compare the two before filing it.",
    "reason.same_day_in": "Another letter of {date} from {partner} is archived already; check "
                          "whether this one is a copy of it.",
    "reason.same_day_out": "Another letter of the Secretary General of {date} to {partner} is "
                           "archived already; check whether this one is a copy of it.",
    "reason.to_confirm": "What recognition doubted is answered; confirm the values not yet "
                         "confirmed to finish the review.",
    "reason.page_unreadable": "Page {page} could not be read ({why}); read it in the original.",
    "reason.language_unsure": "The language is unclear (detected {language}, {confidence}); check "
                              "it.",
    "reason.no_partner_recorded": "No partner is recorded.",
    "reason.no_sg_recorded": "No Secretary General is recorded.",
    "reason.no_date_recorded": "The letter's date is not recorded.",
    # how a field was found
    "evidence.dateline": "dateline: '{line}'",
    "evidence.date_in_heading": "date in the letter's heading: '{line}'",
    "evidence.date_by_signature": "date beside the signature: '{line}'",
    "evidence.date_alone": "date alone on a line: '{line}'",
    "evidence.common_words": "common words: {english} English, {french} French",
    "evidence.language": "detected {language}, {confidence}",
    "evidence.language_unsure": "detected {language}, {confidence}: unsure",
    "evidence.english": "English",
    "evidence.french": "French",
    "evidence.ocr_page": "page {page} read by OCR, confidence {confidence}%",
    "evidence.ocr_blank": "page {page} read by OCR: no text on it",
    "evidence.ocr_unreadable": "page {page} could not be read ({why}); OCR made '{seen}' of it",
    "evidence.ocr_unsure": "OCR confidence {confidence}%, below the floor",
    "evidence.ocr_script": "written in the {script} script, which the archive does not read",
    "evidence.ocr_heavy": "its drawing instructions weigh over {megabytes} MB, too heavy to draw",
    "evidence.ocr_undrawn": "page {page} could not be read ({why}); OCR did not draw it",
    "evidence.in_addressee_block": "addressee block: '{text}'",
    "evidence.in_signature_block": "signature block: '{text}'",
    "evidence.in_letterhead": "letterhead: '{text}'",
    "evidence.in_heading": "heading: '{text}'",
    "evidence.close_in_addressee_block": "addressee block: close match: '{text}' read as '{name}'",
    "evidence.close_in_signature_block": "signature block: close match: '{text}' read as '{name}'",
    "evidence.close_in_letterhead": "letterhead: close match: '{text}' read as '{name}'",
    "evidence.close_in_heading": "heading: close match: '{text}' read as '{name}'",
    "evidence.salutation": "salutation: '{text}'",
    "evidence.signed_by": "signed by: '{text}'",
    "evidence.sender": "sender: '{text}'",
    "evidence.addressee": "addressee: '{text}'",
    "evidence.on_behalf": "signed on behalf of '{name}'",
    "evidence.addressed_to_unnamed_sg": "addressed to the Secretary General without a name",
    "evidence.signed_for_unnamed_sg": "signed for the Secretary General, who is not named",
    "evidence.signed_by_unnamed_sg": "signed 'The Secretary General' without a name",
    "evidence.resolved_by_date": "resolved by the letter's date: {name} was in office on {date} "
                                 "(term {start} to {end})",
    "evidence.resolved_by_date_today": "resolved by the letter's date: {name} was in office on "
                                       "{date} (term {start} to today)",
    # what a correction would change in a founding or a confirmed exchange (to be confirmed)
    "reason.pairing_founding": "This correction changes the founding exchange of {name}: {was} "
                               "would give way to {will}.",
    "reason.pairing_undone": "It undoes the exchange of {name} that {who} confirmed ({exchange}).",
    "reason.pairing_confirm": "Confirm the change of exchange to save it.",
    "reason.pairing_no_exchange": "no exchange at all",
    "reason.pairing_complete": "the complete exchange of {date} ({letters})",
    "reason.pairing_incomplete": "the incomplete exchange of {date} ({letters})",
    "reason.pairing_complete_undated": "the complete exchange without a date ({letters})",
    "reason.pairing_incomplete_undated": "the incomplete exchange without a date ({letters})",
    "reason.pairing_both": "{first} and {second}",
    "reason.pairing_sg_letter": "the Secretary General's letter of {date}",
    "reason.pairing_sg_letter_undated": "the Secretary General's undated letter",
    "reason.pairing_partner_letter": "the partner's letter of {date}",
    "reason.pairing_partner_letter_undated": "the partner's undated letter",
    # a partner's founding exchange and a change of it that waits for a person's decision
    "pairing.letter_in": "the letter of {date} from {partner}, signed by {signer}",
    "pairing.letter_in_unsigned": "the letter of {date} from {partner}",
    "pairing.letter_out": "the Secretary General's letter of {date} to {partner}, signed by "
                          "{signer}",
    "pairing.letter_out_unsigned": "the Secretary General's letter of {date} to {partner}",
    "pairing.letter_undirected": "the letter of {date} of {partner} (its direction is not "
                                 "known), signed by {signer}",
    "pairing.letter_undirected_unsigned": "the letter of {date} of {partner} (its direction is "
                                          "not known)",
    "pairing.undated": "no date",
    "pairing.both": "{first} and {second}",
    "pairing.no_exchange": "no exchange at all",
    "pairing.proposal": "The founding exchange of {partner} is {held}; pairing the letters now "
                        "gives {proposed}. The founding exchange stays as it is until an "
                        "archivist accepts or dismisses the change.",
    # why a file was not archived
    "refusal.unreadable": "unreadable: the file could not be opened ({why})",
    "refusal.empty": "empty file: it holds no bytes",
    "refusal.not_pdf": "not a PDF: the file does not start with a PDF header",
    "refusal.not_found": "not found: there is no such file",
    "refusal.encrypted": "encrypted: a password is needed",
    "refusal.unsupported": "unsupported: a library needed to read it is missing ({why})",
    "refusal.too_large_or_deep": "damaged: it is larger or more deeply nested than a PDF may "
                                 "safely be",
    "refusal.truncated": "damaged: the file ends before its cross-reference table",
    "refusal.pypdf_failed": "damaged: pypdf could not read it ({why})",
    "refusal.loops": "damaged: its structure loops back on itself",
    "refusal.no_pages": "damaged: it has no pages",
    "refusal.too_slow": "too slow to read: it took longer than the time allowed and was stopped",
    "refusal.too_big": "too big to read: it needs more memory than allowed (a decompression bomb?)",
    "refusal.reader_crashed": "damaged: reading it crashed the PDF reader",
    "refusal.reader_failed": "damaged: the PDF reader failed on it ({why})",
    "refusal.not_archived": "not archived: {reason}",
    "refusal.disk_full": "the disk is full",
    "refusal.disk_read_only": "the disk is read-only",
    "refusal.file_too_large": "the file system refuses a file this large",
    "refusal.not_permitted": "this program may not write there",
    "refusal.disk_refused": "the disk refused the write ({why})",
    # a lock another program holds for longer than a writer waits (fsutil.lock_exclusive)
    "refusal.lock_busy_letter": "The letter {id} stayed locked by another program for {seconds} "
                                "seconds, so nothing was changed: try again; if it goes on, ask "
                                "the administrator which program holds it",
    "refusal.lock_busy_archive": "The archive's place for new letters stayed locked by another "
                                 "program for {seconds} seconds, so nothing was changed: try "
                                 "again; if it goes on, ask the administrator which program "
                                 "holds it",
    "refusal.lock_busy_audit": "The audit log stayed locked by another program for {seconds} "
                               "seconds, so nothing was changed: try again; if it goes on, ask "
                               "the administrator which program holds it",
    "refusal.lock_busy_users": "The list of users stayed locked by another program for {seconds} "
                               "seconds, so nothing was changed: try again; if it goes on, ask "
                               "the administrator which program holds it",
    "refusal.stopped": "stopped: {reason}; what was written before stays whole: run the "
                       "command again once the disk has room and is writable",
    "refusal.not_written": "This could not be saved: {reason}. What the archive held before is "
                           "unchanged; ask the administrator to make the disk writable or give "
                           "it room, then try again.",
    "refusal.ocr_failed": "OCR failed: Tesseract could not read a page of the scan",
    "refusal.ocr_unrendered": "damaged: its pages could not be rendered for OCR",
    "refusal.ocr_timeout": "OCR gave up: {tool} took longer than {seconds} seconds on a page of "
                           "the scan",
    # why an upload as a whole was refused
    "refusal.upload_too_many_fields": "The form has too many fields.",
    "refusal.upload_too_many_files": "Send at most {most} files at once.",
    "refusal.upload_field_too_long": "The form field '{field}' is too long.",
    "refusal.upload_not_multipart": "Send the letters as multipart/form-data, one 'file' field "
                                    "per PDF.",
    "refusal.upload_bad_length": "The Content-Length header is not a number.",
    "refusal.upload_too_large": "The upload is larger than the limit of {size}: send fewer or "
                                "smaller files.",
    "refusal.upload_malformed": "The multipart body is malformed.",
    "refusal.upload_cut_short": "The upload ended before its last part was complete.",
    "refusal.size_mb": "{n} MB",
    "refusal.size_bytes": "{n} bytes",
    "refusal.upload_too_slow": "The upload arrived too slowly (a pause of {seconds} seconds, or "
                               "less than {rate} KB a second): send it again.",
    "refusal.render_yours": "More than {most} page images are being drawn for you at once: ask "
                            "for the others when these have come.",
    "refusal.render_busy": "The server is drawing as many page images as it may at once: try "
                           "again in a few seconds.",
    "refusal.upload_busy": "The server is busy ingesting other uploads and cannot queue more: try "
                           "again in a few minutes.",
    # what a fixity check found wrong
    "integrity.original_missing": "the original is missing",
    "integrity.original_unreadable": "the original cannot be read ({why})",
    "integrity.original_altered": "the original has been altered: its SHA-256 no longer matches the "
                                "digest it was archived under",
    "integrity.other_digest": "the record names another original's digest",
    "integrity.id_repeated": "the record repeats the id {id} of another letter: it was put into "
                             "the archive by hand, not by this program",
    "integrity.id_not_its_own": "the record's id {id} is not the one its original gives: it was "
                                "edited or put into the archive by hand",
    "integrity.text_without_pages": "the stored text has no list of pages",
    "integrity.history_missing": "the history is missing",
    "integrity.history_not_text": "the history cannot be read as text",
    "integrity.history_line": "line {n} of the history cannot be read as JSON",
    "integrity.history_empty": "the history is empty: its 'added' event is gone",
    "integrity.file_missing": "{file} is missing",
    "integrity.file_not_json": "{file} cannot be read as JSON",
    "integrity.unexpected": "unexpected file: the archive layout does not define it",
    "integrity.leftover": "a temporary file left behind by an interrupted write, or planted: the "
                        "archive layout does not define it",
    "integrity.replay": "record.json was changed outside this program: it disagrees with its own "
                      "history ({fields} changed without a history line); the letter is shown "
                      "as its history says",
    "integrity.text_replaced": "the text is not the text the letter was added with: its SHA-256 "
                             "differs from the one recorded in the history",
    "integrity.letter_missing": "the letter is missing: the audit log records it was added on {at} "
                              "by {who} (as {filename}); restore it from a backup, or {reindex}",
    "integrity.not_uploaded": "the audit log records no upload of this letter: it was put into the "
                            "archive by hand, or its ingest was interrupted before the event was "
                            "written",
    "integrity.upload_untrusted": "the audit log's record of this letter's upload cannot be "
                                  "trusted (it is not authenticated, or comes after where the log "
                                  "is broken): the letter may have been put into the archive by hand",
    "integrity.audit_broken": "the audit log is not intact ({problem}); the letters it no longer "
                              "vouches for are listed",
    "integrity.history_without_digests": "the history was written by an older version: it holds "
                                         "neither the record as added nor its text's digest, so "
                                         "a changed record or text cannot be told",
    "integrity.index_unreadable": "the search index cannot be read ({why}): {reindex}",
    "integrity.index_extra": "search still returns this letter, which is not in the archive: "
                           "{reindex}",
    "integrity.index_missing": "the search index does not hold this letter: {reindex}",
    "integrity.reindex": "run `letters reindex` so that search agrees with the archive",
    "integrity.catalog_missing": "the catalog does not hold this letter (run letters reindex)",
    "integrity.catalog_disagrees": "the catalog disagrees with record.json (run letters reindex)",
    "integrity.catalog_extra": "the catalog holds a letter the archive does not (run letters "
                             "reindex)",
    "integrity.index_behind": "the search index may still hold an earlier record of this letter "
                            "(an interrupted write could not be indexed again): run `letters "
                            "reindex`",
    "integrity.pair_mismatch": "this letter is paired by hand with letter {other}, which is not "
                               "paired with it (a link or unlink was interrupted): link or "
                               "unlink them again",
    # what to do about each kind of problem verify finds, on the command line (fixity.Kind)
    "integrity.advice_altered": "restore the original from a backup (its SHA-256 is the name of "
                                "its directory), then run `letters verify`",
    "integrity.advice_original_missing": "restore the original from a backup into its "
                                         "directory, then run `letters verify`",
    "integrity.advice_unreadable": "check the file's permissions and the disk, then run "
                                   "`letters verify`",
    "integrity.advice_damaged": "restore the file from a backup, then run `letters verify`",
    "integrity.advice_record_edited": "restore record.json from a backup (the history tells "
                                      "what it should hold; the letter is shown so meanwhile), "
                                      "find out who changed it, then run `letters verify`",
    "integrity.advice_text_replaced": "restore text.json from a backup, then run "
                                      "`letters verify`",
    "integrity.advice_old_history": "run `letters migrate` once, on an archive you have checked",
    "integrity.advice_unexpected": "find out who put the file there, move it out of the archive, "
                                   "then run `letters verify`",
    "integrity.advice_leftover": "make sure no ingest or correction is running, move the file "
                                 "out of the archive, then run `letters verify`",
    "integrity.advice_planted": "find out who put the letter there; move its directory out of "
                                "the archive unless the audit log's break explains it, then run "
                                "`letters reindex` and `letters verify`",
    "integrity.advice_letter_missing": "restore the letter's directory from a backup; if it was "
                                       "removed on purpose, run `letters reindex`",
    "integrity.advice_stale": "run `letters reindex` (nothing is lost: the catalog and the index "
                              "are made from the archive)",
    "integrity.advice_audit": "run `letters audit verify` to see where the audit log is broken, "
                              "and restore it from a backup",
    "integrity.advice_other": "restore the file from a backup, then run `letters verify`",
    # an original that is not the one archived, where one is shipped (export, download)
    "integrity.shipped_letter_outgoing": "the letter of {date} from the Secretary General to "
                                         "{partner}",
    "integrity.shipped_letter_incoming": "the letter of {date} from {partner} to the Secretary "
                                         "General",
    "integrity.shipped_letter_other": "the letter '{filename}' of {date}",
    "integrity.shipped_missing": "the original of {letter} is missing",
    "integrity.shipped_unreadable": "the original of {letter} cannot be read ({why})",
    "integrity.shipped_altered": "the original of {letter} is not the one archived: its SHA-256 "
                                 "differs from the one it was archived under",
    "integrity.shipped_and": "{first}, and {rest}",
    "integrity.shipped_export_refused": "The founding documents of {partner} cannot be exported, "
                                        "because {problems}; restore the original from a backup, "
                                        "then export again.",
    # why the audit log refuses to record an event (the auditor is told: `letters audit verify`)
    "integrity.audit_key_missing": "The audit log cannot record this: its key ({key}) is missing, "
                                   "so new events could not be authenticated. Restore the key "
                                   "from a backup; an auditor should run `letters audit verify`.",
    "integrity.audit_emptied": "The audit log cannot record this: it is empty, but it held "
                               "{events} events. An auditor should run `letters audit verify`.",
    "integrity.audit_torn": "The audit log cannot record this: its last event is half-written. "
                            "An auditor should run `letters audit verify`.",
    "integrity.audit_head_missing": "The audit log cannot record this: audit-head.json, which "
                                    "records its end, is missing. An auditor should run "
                                    "`letters audit verify`.",
    "integrity.audit_head_forged": "The audit log cannot record this: audit-head.json was not "
                                   "written by this program. An auditor should run "
                                   "`letters audit verify`.",
    "integrity.audit_anchor_differs": "The audit log cannot record this: its head records "
                                      "{events} events but the copy kept outside the archive "
                                      "records {anchored}. An auditor should run "
                                      "`letters audit verify`.",
    "integrity.audit_differs": "The audit log cannot record this: it is not the log of "
                               "{events} events its head recorded (events were deleted, edited "
                               "or added by hand). An auditor should run `letters audit verify`.",
    # what a fixity check could not do (a read-only home)
    "integrity.catalog_unopened": "The catalog could not be opened ({why}), so it was not "
                                  "compared with the archive.",
    "integrity.report_unsaved": "The report could not be saved in {directory} ({why}).",
    "integrity.check_unaudited": "This check could not be recorded in the audit log ({why}).",
    # why a search cannot be run
    "query.too_long": "the query is too long ({length} characters): the limit is {limit}",
    "query.nothing": 'the query has nothing to search for: use words, "phrases" or field:value',
    "query.too_many_patterns": "the query has {count} words with wildcards (* or ?): the limit is "
                               "{limit}",
    "query.unbalanced_close": 'unbalanced parenthesis: ")" has no "(" before it',
    "query.range_without_field": "a range [... TO ...] needs a field before it: date: or year:",
    "query.unbalanced_open": 'unbalanced parenthesis: a "(" is never closed',
    "query.unbalanced_quote": 'unbalanced quote: a phrase needs a closing "',
    "query.unknown_field": 'unknown field "{field}": use {fields}',
    "query.needs_value": "{name}: needs a value, e.g. {example}",
    "query.single_value_or": "{name}: takes a single value, e.g. {example}; combine several with OR",
    "query.single_value": "{name}: takes a single value, e.g. {example}",
    "query.short_pattern": '"{text}": a wildcard needs at least {n} letters before it, e.g. cyber*',
    "query.date_range_form": "date range must look like [2020-01-01 TO 2020-12-31]",
    "query.year_range_form": "year range must look like [2018 TO 2020]",
    "query.unbalanced_bracket": 'unbalanced bracket: a range needs a closing "]"',
    "query.no_range": "{name}: cannot take a range; ranges work with date: and year:",
    "query.range_reversed": "{name} range starts after it ends: {low} comes after {high}",
    "query.not_a_year": '"{value}" is not a year: use four digits, e.g. year:2020',
    "query.bad_date": "a date must look like 2020-01-31 (or 2020-01, or 2020); date range must "
                      "look like [2020-01-01 TO 2020-12-31]",
    "query.bad_ocr": 'ocr must be "true" or "false"',
    "query.bad_direction": 'direction must be "incoming" or "outgoing"',
    "query.bad_language": 'language must be a two-letter code, e.g. "en" or "fr"',
    "query.bad_status": 'status must be "ok" or "needs_review"',
    "query.operator_alone": '"{op}" needs something to search for on both sides',
    "query.not_alone": '"NOT" (or "-") needs something to search for after it',
    "query.empty_parentheses": "empty parentheses: put words between ( and )",
    "query.too_costly": "the search needs too much work: the words of its phrases occur more "
                        "than {limit} times in the letters holding them all; search for a "
                        "shorter or rarer phrase, or narrow the search with a filter",
    "query.too_wide": '"{text}": more than {limit} words of the letters begin with "{prefix}": '
                      "put more letters before the wildcard",
    "query.long_phrase": "a phrase holds at most {limit} words: this one has {count}",
    "query.too_deep": "the query nests NOT, - or parentheses more than {limit} deep: write it "
                      "more simply",
    "query.no_partner": 'there is no partner "{value}"',
    "query.no_sg": 'there is no Secretary General "{value}"',
    "query.from_date_form": 'the from date "{value}" is not a date: use YYYY-MM-DD',
    "query.to_date_form": 'the to date "{value}" is not a date: use YYYY-MM-DD',
    "query.dates_reversed": "the from date {start} comes after the to date {end}",
    "query.bad_sort": 'sort must be "relevance", "date" or "-date"',
    "query.bad_page": "page and per_page must be 1 or more",
    "query.page_number": "The page must be a whole number from 1.",
    "query.bad_reason_kind": "There is no such kind of reason: choose one of {kinds}.",
    "query.not_a_date": "The date '{value}' is not a date: write it as YYYY-MM-DD.",
    "query.start_after_end": "The start date is after the end date.",
    "query.per_page_number": "per_page must be a whole number from 1 to {most}.",
    "query.index_unavailable": "The search index cannot be read; it is rebuilt by `letters reindex` "
                               "or when the server restarts.",
    # what an address names that does not exist (the identifier is as the client sent it)
    "missing.letter": "There is no letter with the id '{value}'.",
    "missing.partner": "There is no partner with the slug '{value}'.",
    "missing.sg": "There is no Secretary General with the slug '{value}'.",
    "missing.page": "The letter {id} has no page {page}: it has {n}.",
    "missing.page_name": "The letter {id} has no page '{page}'.",
    # why a change to the users cannot be made
    "naming.name_held": "'{name}' is already a name of {partner} ({slug}). A name belongs to "
                        "one partner at a time: it is not given twice.",
    "naming.name_held_own": "'{name}' is already a name of {partner} ({slug}). It is not given "
                            "twice.",
    "naming.looks_like": "'{name}' looks like {partner}: add it as a name of {same} instead, "
                         "or confirm that it belongs to another partner.",
    "naming.bad_date": "'{value}' is not a date of the form YYYY-MM-DD.",
    "naming.long_slug": "A slug is at most {length} characters long.",
    "naming.bad_slug": "'{slug}' is not a valid slug: use lower-case letters, digits and hyphens.",
    "naming.slug_exists": "A partner with the slug '{slug}' already exists.",
    "naming.empty_name": "The name must not be empty.",
    "naming.joined_in_future": "The date of joining {joined} is in the future.",
    "naming.no_partner": "There is no partner with the slug '{slug}'.",
    "naming.dates_reversed": "The name's first date comes after its last date.",
    "naming.bad_kind": "The kind must be {kinds} or {last}.",
    "user.bad_name": "A user name is 1 to 64 letters, digits, dots, hyphens, underscores or @, "
                     "starting with a letter or digit.",
    "user.exists": "A user named '{name}' already exists.",
    "user.no_token": "{name} has no token with the id '{token}'.",
    "user.not_a_role": "'{role}' is not a role: choose one of {roles}.",
    "user.no_such_user": "There is no user named '{name}'.",
    "user.weak_password": "A password must be at least {length} characters long, hold at least "
                          "{distinct} different characters and not be a common password.",
    "user.reserved_name": "'{name}' is reserved: the audit log uses it for someone else; choose "
                          "another name.",
    "user.last_admin": "{name} is the last admin: give another user the admin role first, so "
                       "that someone can still manage the users.",
    "user.long_token_label": "A token's name is at most {length} characters long.",
    "user.wrong_password": "That is not your current password.",
    "user.needs_role": "This needs the {role} role; {name} is {current}.",
    "user.role_reader": "reader",
    "user.role_archivist": "archivist",
    "user.role_auditor": "auditor",
    "user.role_admin": "admin",
    "user.a_reader": "a reader",
    "user.an_archivist": "an archivist",
    "user.an_auditor": "an auditor",
    "user.an_admin": "an admin",
    "user.choose_action": "Choose what to change.",
    "user.not_to_oneself": "You cannot do that to your own account here: ask another admin, or "
                           "use `letters users` on the server.",
}
