"""bench.ocr_compare: its truth, its error rates, and a run without OCRmyPDF (no OCR here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench import ocr_compare


def test_error_rates_count_edits_against_the_truth() -> None:
    assert ocr_compare.error_rates("a b c", "a b c") == (0.0, 0.0)
    cer, wer = ocr_compare.error_rates("one two three", "one tw0  three\n")
    assert cer == pytest.approx(1 / 13)
    assert wer == pytest.approx(1 / 3)
    assert ocr_compare.error_rates("abc", "") == (1.0, 1.0)


def test_every_page_read_by_ocr_has_the_text_it_was_drawn_from() -> None:
    cases = ocr_compare.specimen_cases()
    names = {case.name for case in cases}
    assert "2022-06-28-lego-group-incoming.pdf" in names  # a two-page image-only scan
    assert "2018-05-24-cloudflare-reply-signed-page-scan.pdf" in names  # mixed: page 2 scanned
    for case in cases:
        assert case.truth is not None
        assert Path(case.path).is_file(), case.name
        expected = case.truth.get("ocr_pages") or range(1, case.truth["pages"] + 1)
        assert [n + 1 for n in case.pages] == list(expected), case.name
        assert set(case.truth_text) == set(case.pages), case.name
        for text in case.truth_text.values():
            assert len(text.split()) >= 20, case.name
    cloudflare = next(c for c in cases if c.name.startswith("2018-05-24-cloudflare"))
    assert not cloudflare.whole and cloudflare.pages == [1]
    assert "SPECIMEN" in cloudflare.truth_text[1]


def test_without_ocrmypdf_the_run_says_so_and_measures_the_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LETTERS_OCRMYPDF", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "report.json"
    code = ocr_compare.main(["--only", "ocrmypdf,ocrmypdf-j2", "--ocrmypdf",
                             str(tmp_path / "no-such-program"), "--no-realworld", "--out", str(out)])
    assert code == 0
    assert "OCRmyPDF is not installed" in capsys.readouterr().err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["ocrmypdf"] is None
    assert report["median"] == {}
    assert len(report["cases"]) == len(ocr_compare.specimen_cases())
