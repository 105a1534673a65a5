"""OCR of the scanned pages: the project's Tesseract wrapper against OCRmyPDF (`--skip-text`).

    .venv/bin/python -m bench.ocr_compare                        both, when OCRmyPDF is found
    .venv/bin/python -m bench.ocr_compare --ocrmypdf /path/to/venv/bin/ocrmypdf --repeat 2
    .venv/bin/python -m bench.ocr_compare --only wrapper         the wrapper alone (any commit)

The documents are the specimens that have pages without a text layer (image-only scans in
specimens/ and specimens/elsewhere/, and the mixed ones: typed pages with one page scanned), and
the PDFs of ../shared/realworld-pdfs/ that have such pages. For each way of reading them it
measures the wall time and the CPU time (this process and its children: Tesseract, pdftoppm,
Ghostscript) per page read, the character and word error rates (CER, WER) of the text against the
text the specimen's pages were drawn from, and the fields recognition finds in the document's
text against `truth.json`. OCRmyPDF is not a dependency of `letters`: install it in a virtual
environment of its own (with Ghostscript) and pass its `ocrmypdf`; without it only the wrapper is
measured and the report says so. The figures go to stdout and bench/results/ocr_compare.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = str(ROOT / "scripts")
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)

REALWORLD = ROOT.parent / "shared" / "realworld-pdfs"
FIELDS = ("partner", "signatory", "signed_by", "date", "direction", "language")
TODAY = "2025-01-15"
#: A real-world PDF with more pages to OCR than this is left out (a thesis's figure pages).
MOST_PAGES = 8
WAYS = ("wrapper", "wrapper-2", "ocrmypdf", "ocrmypdf-j2", "ocrmypdf-pdf")


@dataclass
class Case:
    """One document whose pages without a text layer are read: which pages (from 0), the text
    each was drawn from (when known) and the fields recognition must find (when known)."""

    name: str
    path: str
    pages: list[int]
    whole: bool
    truth_text: dict[int, str] = field(default_factory=dict)
    truth: dict[str, Any] | None = None
    script: str = "Latin"


@dataclass
class Reading:
    """One document read one way: the text of each page read, and the times it took."""

    texts: dict[int, str]
    wall: float
    cpu: float
    doubtful: list[str] = field(default_factory=list)
    error: str = ""


# -- the documents -------------------------------------------------------------------------

def _drawn(page: Any) -> str:
    """The text a specimen page was drawn from, top to bottom (signature strokes left out)."""
    import pdfkit

    placed = sorted(pdfkit.place(page), key=lambda p: (-p.y, p.x))
    return "\n".join(p.line.text for p in placed if p.line.text and not p.line.mark)


def _specimen_pages() -> dict[str, list[Any]]:
    """The pages of each image-only letter of specimens/, as make_specimens.letters draws them."""
    import make_specimens as ms
    import pdfkit

    data = ms.registry_data()
    kinds = {p["slug"]: p["kind"] for p in data["partners"]}
    joined = {p["slug"]: p["joined"] for p in data["partners"]}
    sgs = ms.secretaries(data)
    out: dict[str, list[Any]] = {}
    for seq, party in enumerate(ms.PARTIES, start=101):
        invented = joined[party.slug] is None
        day = ms.ATT_DATE if invented else date.fromisoformat(joined[party.slug])
        sg = ms.in_office(sgs, day)
        if day in ms.DEPUTY_ROUNDS:
            party = replace(party, out=replace(party.out, signer="deputy"))
        for direction, style in (("outgoing", party.out), ("incoming", party.inc)):
            if style.scan is None:
                continue
            make = ms.outgoing if direction == "outgoing" else ms.incoming
            args = (party, kinds[party.slug], sg, day, seq) if direction == "outgoing" else (
                party, kinds[party.slug], sg, day)
            draft, _ = make(*args)
            out[f"{day.isoformat()}-{party.slug}-{direction}.pdf"] = pdfkit.paginate(
                draft.blocks, draft.footer, ms._continuation)
    return out


def _elsewhere_pages() -> dict[str, list[Any]]:
    """The pages of each scanned or mixed document of specimens/elsewhere/."""
    import make_elsewhere as me

    out: dict[str, list[Any]] = {}
    for stem, make, scan in me.DOCUMENTS:
        if scan is None:
            continue
        lines, truth = make()
        footer = (me.Line(me.BANNER[truth.language], align="center", size=8),)
        out[f"{stem}.pdf"] = me._pages(lines, footer)
    return out


def specimen_cases() -> list[Case]:
    """Every specimen with pages read by OCR, with the text of those pages and its truth."""
    cases: list[Case] = []
    for folder, drawn in ((ROOT / "specimens", _specimen_pages()),
                          (ROOT / "specimens" / "elsewhere", _elsewhere_pages())):
        truths = {t["file"]: t for t in json.loads((folder / "truth.json").read_text("utf-8"))}
        for name, pages in drawn.items():
            truth = truths[name]
            numbers = ([n - 1 for n in truth["ocr_pages"]] if "ocr_pages" in truth
                       else list(range(len(pages))))
            whole = bool(truth["scanned"])
            if whole:
                numbers = list(range(len(pages)))
            script = "Arabic" if "arabic" in name else "Latin"
            cases.append(Case(name, str(folder / name), numbers, whole,
                              {n: _drawn(pages[n]) for n in numbers}, truth, script))
    return cases


def realworld_cases(folder: Path = REALWORLD) -> list[Case]:
    """The real-world PDFs that have pages without a text layer (no truth: times only)."""
    from letters.pdf import extract

    cases = []
    for path in sorted(folder.rglob("*.pdf")):
        try:
            found = extract.extract(path)
        except extract.ExtractionError:
            continue
        numbers = list(range(found.page_count)) if found.scanned else found.textless_pages
        if numbers and len(numbers) <= MOST_PAGES:
            cases.append(Case(f"realworld/{path.name}", str(path), numbers, found.scanned))
    return cases


# -- reading -------------------------------------------------------------------------------

def _cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], tuple[dict[int, str], list[str]]]) -> Reading:
    """Run `work`, with its wall time and CPU time (this process and the children it waited for)."""
    cpu, wall = _cpu(), time.perf_counter()
    try:
        texts, doubtful = work()
        error = ""
    except Exception as problem:  # a document one way cannot read is reported, not fatal
        texts, doubtful, error = {}, [], f"{type(problem).__name__}: {problem}"[:300]
    return Reading(texts, time.perf_counter() - wall, _cpu() - cpu, doubtful, error)


def wrapper(case: Case) -> Reading:
    """The project's wrapper as the ingest uses it: pypdf's extraction, then `ocr.read` of the
    pages without a text layer (every page of a scan). The text is what OCR made of each page,
    readable or not (the ingest keeps an unreadable page's text as evidence only)."""
    from letters.pdf import extract, ocr

    def work() -> tuple[dict[int, str], list[str]]:
        found = extract.extract(Path(case.path))
        numbers = None if found.scanned else found.textless_pages
        try:
            done = ocr.read(Path(case.path), numbers)
        except TypeError:  # the wrapper before per-page OCR read whole scans only
            done = ocr.read(Path(case.path))
            return dict(enumerate(done.pages)), list(done.doubtful)
        read = getattr(done, "read", None)
        if read is not None:
            return {page.number: page.text for page in read}, list(done.doubtful)
        return dict(zip(numbers or range(len(done.pages)), done.pages, strict=False)), []

    return timed(work)


def _wrapper_in_worker(case: Case) -> Reading:
    return wrapper(case)


def wrapper_pool(cases: list[Case], jobs: int) -> tuple[list[Reading], float, float]:
    """The wrapper over every document with `jobs` worker processes, one document each at a
    time, their Tesseracts limited to one thread (as `letters ingest --jobs N`); the readings,
    and the wall and CPU time of the whole set."""
    from letters.pdf import ocr

    env = getattr(ocr, "side_by_side", lambda n: {"OMP_THREAD_LIMIT": "1"})(jobs)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        cpu, wall = _cpu(), time.perf_counter()
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            readings = list(pool.map(_wrapper_in_worker, cases))
        return readings, time.perf_counter() - wall, _cpu() - cpu
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def ocrmypdf(case: Case, program: str, jobs: int, output_type: str = "auto") -> Reading:
    """`ocrmypdf --skip-text --rotate-pages -l eng+fra` on the document; the text of each page
    read from its sidecar. `--output-type auto` (OCRmyPDF's default) makes a PDF/A when it can, as
    a searchable copy in derived/ would be: an explicit `pdfa` is refused with --skip-text on
    Ghostscript 10.0.0-10.02.0 (Debian 12's), which corrupt pages with existing text. The
    rotation threshold is the wrapper's (an OSD confidence of 2; OCRmyPDF's default, 14, leaves
    the sideways specimen unturned at 13.1)."""

    def work() -> tuple[dict[int, str], list[str]]:
        with tempfile.TemporaryDirectory(prefix="ocr-compare-") as folder:
            sidecar, output = Path(folder) / "side.txt", Path(folder) / "out.pdf"
            done = subprocess.run(
                [program, "--skip-text", "--rotate-pages", "--rotate-pages-threshold", "2",
                 "-l", "eng+fra", "--jobs", str(jobs),
                 "--output-type", output_type, "--sidecar", str(sidecar), "--quiet",
                 case.path, str(output)], capture_output=True, text=True, timeout=900, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-200:]}")
            pages = sidecar.read_text(encoding="utf-8").split("\f")
            return {n: pages[n] if n < len(pages) else "" for n in case.pages}, []

    return timed(work)


# -- accuracy ------------------------------------------------------------------------------

def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def error_rates(truth: str, read: str) -> tuple[float, float]:
    """Character and word error rates of `read` against `truth` (edit distance / truth length)."""
    from rapidfuzz.distance import Levenshtein

    expected, got = _plain(truth), _plain(read)
    words = expected.split()
    cer = Levenshtein.distance(expected, got) / max(1, len(expected))
    wer = Levenshtein.distance(words, got.split()) / max(1, len(words))
    return cer, wer


def fields(case: Case, reading: Reading) -> dict[str, Any]:
    """What recognition finds in the document's text, the pages read replacing the empty ones."""
    from letters import registry
    from letters.pdf import extract
    from letters.recognition.recognize import recognize
    from letters.textnorm import normalize

    found = extract.extract(Path(case.path))
    pages = list(found.pages)
    for number, text in reading.texts.items():
        if number < len(pages):
            pages[number] = normalize(text)
    with tempfile.TemporaryDirectory() as archive:
        seen = recognize("\n\n".join(pages), registry.load(Path(archive)),
                         date.fromisoformat(TODAY), reading.doubtful)
    return {name: getattr(seen, name) for name in FIELDS}


def score(case: Case, reading: Reading) -> dict[str, Any]:
    """The figures of one reading: times per page, error rates of the Latin pages, fields right."""
    row: dict[str, Any] = {"pages": len(case.pages), "wall_s": round(reading.wall, 3),
                           "cpu_s": round(reading.cpu, 3), "error": reading.error}
    latin = case.truth_text if case.script == "Latin" else {}
    if latin and not reading.error:
        rates = [error_rates(latin[n], reading.texts.get(n, "")) for n in latin]
        chars = [len(_plain(latin[n])) for n in latin]
        row["cer"] = sum(c * r[0] for c, r in zip(chars, rates, strict=True)) / sum(chars)
        row["wer"] = statistics.fmean(r[1] for r in rates)
    if case.truth is not None and not reading.error and case.truth.get("kind", "letter") == "letter":
        seen = fields(case, reading)
        row["wrong"] = {f: seen[f] for f in FIELDS if seen[f] != case.truth[f]}
    row["chars"] = sum(len(_plain(t)) for t in reading.texts.values())
    return row


# -- the run -------------------------------------------------------------------------------

def find_ocrmypdf(given: str | None) -> str | None:
    """The `ocrmypdf` program: the one given, $LETTERS_OCRMYPDF, or on the PATH."""
    for candidate in (given, os.environ.get("LETTERS_OCRMYPDF"), shutil.which("ocrmypdf")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.ocr_compare",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--ocrmypdf", help="the ocrmypdf program (default $LETTERS_OCRMYPDF or "
                                           "the PATH)")
    parser.add_argument("--only", default=",".join(WAYS), help=f"ways among {', '.join(WAYS)}")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each way (medians kept)")
    parser.add_argument("--no-realworld", action="store_true",
                        help="leave out ../shared/realworld-pdfs")
    parser.add_argument("--whole-scans", action="store_true",
                        help="only the image-only specimens (the OCR of scans before and after)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ocr_compare.json")
    return parser.parse_args(argv)


def _summary(cases: list[Case], rows: list[dict[str, Any]], wall: float | None = None,
             cpu: float | None = None) -> dict[str, Any]:
    pages = sum(r["pages"] for r in rows if not r["error"])
    specimens = [(c, r) for c, r in zip(cases, rows, strict=True) if c.truth is not None]
    rated = [r for _, r in specimens if "cer" in r]
    letters = [r for _, r in specimens if "wrong" in r]
    chars = sum(len(_plain(t)) for c, _ in specimens for n, t in c.truth_text.items()
                if c.script == "Latin")
    wall = sum(r["wall_s"] for r in rows) if wall is None else wall
    cpu = sum(r["cpu_s"] for r in rows) if cpu is None else cpu
    return {
        "pages": pages, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "wall_per_page_s": round(wall / max(1, pages), 2),
        "cpu_per_page_s": round(cpu / max(1, pages), 2),
        "cer": round(sum(r["cer"] * r["truth_chars"] for r in rated) / max(1, chars), 4)
        if rated else None,
        "wer": round(statistics.fmean(r["wer"] for r in rated), 4) if rated else None,
        "fields_right": f"{sum(len(FIELDS) - len(r['wrong']) for r in letters)}"
                        f"/{len(FIELDS) * len(letters)}",
        "letters_all_right": f"{sum(not r['wrong'] for r in letters)}/{len(letters)}",
        "errors": [c.name for c, r in zip(cases, rows, strict=True) if r["error"]],
    }


def run_way(way: str, cases: list[Case], program: str | None) -> dict[str, Any]:
    """Read every document one way; per document and summed figures."""
    wall = cpu = None
    if way == "wrapper-2":
        readings, wall, cpu = wrapper_pool(cases, 2)
    elif way == "wrapper":
        readings = [wrapper(c) for c in cases]
    else:
        assert program is not None
        jobs = 2 if way == "ocrmypdf-j2" else 1
        kind = "pdf" if way == "ocrmypdf-pdf" else "auto"
        readings = [ocrmypdf(c, program, jobs, kind) for c in cases]
    rows = []
    for case, reading in zip(cases, readings, strict=True):
        row = score(case, reading)
        row["truth_chars"] = sum(len(_plain(t)) for t in case.truth_text.values()) \
            if case.script == "Latin" else 0
        rows.append(row)
    return {"documents": {c.name: r for c, r in zip(cases, rows, strict=True)},
            "summary": _summary(cases, rows, wall, cpu)}


def main(argv: list[str] | None = None) -> int:
    """Measure each way of reading the scanned pages; print a table and write the JSON report."""
    args = parse(argv)
    ways = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = set(ways) - set(WAYS)
    if unknown:
        print(f"ocr_compare: unknown way {', '.join(sorted(unknown))}; use {', '.join(WAYS)}",
              file=sys.stderr)
        return 2
    program = find_ocrmypdf(args.ocrmypdf)
    if program is None and any(w.startswith("ocrmypdf") for w in ways):
        print("ocr_compare: OCRmyPDF is not installed (not on the PATH, no --ocrmypdf, no "
              "$LETTERS_OCRMYPDF): only the wrapper is measured. It is not a dependency of "
              "letters: install it in a virtual environment of its own, with Ghostscript.",
              file=sys.stderr)
        ways = [w for w in ways if not w.startswith("ocrmypdf")]
    cases = specimen_cases()
    if args.whole_scans:
        cases = [c for c in cases if c.whole]
    elif not args.no_realworld and REALWORLD.is_dir():
        cases += realworld_cases()
    load = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {w: [] for w in ways}
    for _ in range(max(1, args.repeat)):
        for way in ways:
            runs[way].append(run_way(way, cases, program))
            print(f"ocr_compare: {way} done: {runs[way][-1]['summary']}", file=sys.stderr,
                  flush=True)
    medians = {way: _median([r["summary"] for r in done]) for way, done in runs.items()}
    report = {"cases": [asdict(c) | {"truth_text": None} for c in cases], "ocrmypdf": program,
              "load_before": load, "load_after": os.getloadavg(), "runs": runs,
              "median": medians}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(table(medians, len(cases), sum(len(c.pages) for c in cases)))
    print(f"\nocr_compare: report written to {args.out}", file=sys.stderr)
    return 0


def _median(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(summaries[0])
    for key in ("wall_s", "cpu_s", "wall_per_page_s", "cpu_per_page_s"):
        out[key] = round(statistics.median(s[key] for s in summaries), 2)
    out["runs"] = len(summaries)
    return out


def table(medians: dict[str, dict[str, Any]], documents: int, pages: int) -> str:
    """The medians as a Markdown table."""
    lines = [f"{documents} documents, {pages} pages to read by OCR",
             "| way | wall s / page | CPU s / page | CER | WER | fields right | letters all right |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for way, s in medians.items():
        cer = f"{100 * s['cer']:.2f} %" if s["cer"] is not None else "-"
        wer = f"{100 * s['wer']:.2f} %" if s["wer"] is not None else "-"
        lines.append(f"| {way} | {s['wall_per_page_s']:.2f} | {s['cpu_per_page_s']:.2f} | {cer} | "
                     f"{wer} | {s['fields_right']} | {s['letters_all_right']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
