"""Receiving uploaded letters: multipart parts streamed to temporary files under a size limit.

The body is counted as it arrives and refused (413) as soon as it passes the limit, before it is
all read; a Content-Length above the limit is refused before reading anything. A body that
trickles is refused too (408): it may pause `upload_read_seconds` at most, and after that grace
must keep up `SLOWEST` bytes a second on average, so a few slow clients cannot hold the upload
queue's places (and every other upload at 503) for as long as they like. A file's name is
only ever a display name: the bytes go to temporary files named by this program.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from letters.messages import Message, msg
from letters.models import IngestResult
from letters.pdf.header import HEADER_WINDOW, header_problem
from letters.settings import MB
from letters.web.admission import RETRY_AFTER, Busy
from letters.web.searchform import plain_digits
from letters.web.state import Web

FILE_FIELD = "file"
MAX_FILES = 200
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 20
#: The slowest average rate, in bytes a second, an upload's body may arrive at after its grace.
SLOWEST = 8 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UploadRefused(Exception):
    """The upload as a whole is refused; `status` is the HTTP status, `message` why (a refusal's
    code; `detail`, its English, is what the JSON says)."""

    def __init__(self, status: int, message: Message) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.detail = str(message)
        self.headers = {"Retry-After": RETRY_AFTER} if status == 503 else None


@dataclass
class Received:
    """One uploaded file: where its bytes are, the name it was sent under, its first bytes."""

    path: Path
    name: str
    size: int = 0
    head: bytes = b""
    unnamed: bool = False  # sent without a file name (as some clients send an empty input)

    @property
    def is_pdf(self) -> bool:
        """Whether it starts like a PDF, whatever its name says."""
        return header_problem(self.head) is None


@dataclass
class Upload:
    """The files and the plain fields of one multipart request."""

    directory: Path
    files: list[Received] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """Remove the temporary files."""
        shutil.rmtree(self.directory, ignore_errors=True)


def display_name(raw: str) -> str:
    """The name to show for an uploaded file: no directories, no control characters."""
    name = _CONTROL.sub("", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:200] or "upload.pdf"


def limit_sentence(limit: int) -> Message:
    """The 413 message."""
    size = (msg("refusal.size_mb", n=f"{limit / MB:g}") if limit >= MB
            else msg("refusal.size_bytes", n=limit))
    return msg("refusal.upload_too_large", size=size)


class _Receiver:
    """Multipart parser callbacks writing file parts to disk and keeping small fields."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.current: Received | None = None
        self.handle: BinaryIO | None = None
        self.field_name: str | None = None
        self.field_value = bytearray()
        self.pending: list[tuple[BinaryIO, bytes]] = []
        self.handles: list[BinaryIO] = []

    def callbacks(self) -> dict[str, object]:
        return {"on_part_begin": self.on_part_begin, "on_part_data": self.on_part_data,
                "on_part_end": self.on_part_end, "on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished}

    def on_part_begin(self) -> None:
        self.disposition = b""
        self.current, self.handle, self.field_name = None, None, None
        self.field_value = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options and name != FILE_FIELD:
            if len(self.upload.fields) >= MAX_FIELDS:
                raise UploadRefused(400, msg("refusal.upload_too_many_fields"))
            self.field_name = name
            return
        if name != FILE_FIELD or options.get(b"filename") == b"":
            return  # a file in another field, or a file input left empty: keep nothing
        if len(self.upload.files) >= MAX_FILES:
            raise UploadRefused(400, msg("refusal.upload_too_many_files", most=MAX_FILES))
        number = len(self.upload.files) + 1
        self.current = Received(self.upload.directory / f"upload-{number:04d}.pdf",
                                display_name(options.get(b"filename", b"").decode("utf-8", "replace")),
                                unnamed=b"filename" not in options)
        self.handle = open(self.current.path, "wb")  # noqa: SIM115 - closed by flush()
        self.handles.append(self.handle)
        self.upload.files.append(self.current)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.current is not None and self.handle is not None:
            if len(self.current.head) < HEADER_WINDOW:
                self.current.head += chunk[:HEADER_WINDOW - len(self.current.head)]
            self.current.size += len(chunk)
            self.pending.append((self.handle, chunk))
        elif self.field_name is not None:
            if len(self.field_value) + len(chunk) > MAX_FIELD_BYTES:
                raise UploadRefused(400, msg("refusal.upload_field_too_long",
                                                field=str(self.field_name)))
            self.field_value.extend(chunk)

    def on_part_end(self) -> None:
        if self.handle is not None:
            self.pending.append((self.handle, b""))
        elif self.field_name is not None:
            self.upload.fields[self.field_name] = self.field_value.decode("utf-8", "replace")
        self.current, self.handle, self.field_name = None, None, None

    def flush(self) -> None:
        """Write what the parser produced; an empty chunk closes its file."""
        pending, self.pending = self.pending, []
        for handle, chunk in pending:
            if chunk:
                handle.write(chunk)
            else:
                handle.close()


async def _chunks(request: Request, seconds: float) -> AsyncIterator[bytes]:
    """The body's chunks as they arrive; UploadRefused (408) when it pauses `seconds` or falls
    behind `SLOWEST` bytes a second once those seconds have passed."""
    loop = asyncio.get_running_loop()
    start, received = loop.time(), 0
    stream = request.stream().__aiter__()
    while True:
        allowed = min(seconds, start + seconds + received / SLOWEST - loop.time())
        try:
            if allowed <= 0:
                raise TimeoutError
            chunk = await asyncio.wait_for(stream.__anext__(), allowed)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise UploadRefused(408, msg("refusal.upload_too_slow", seconds=f"{seconds:g}",
                                         rate=SLOWEST // 1024)) from None
        received += len(chunk)
        yield chunk


async def receive(request: Request, limit: int, seconds: float = 30.0) -> Upload:
    """Stream a multipart request's files to temporary files; UploadRefused when it cannot be
    (408 when its body trickles: see `_chunks`)."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise UploadRefused(415, msg("refusal.upload_not_multipart"))
    length = request.headers.get("content-length")
    if length is not None:
        if not plain_digits(length, 19):
            raise UploadRefused(400, msg("refusal.upload_bad_length"))
        if int(length) > limit:
            raise UploadRefused(413, limit_sentence(limit))
    upload = Upload(Path(tempfile.mkdtemp(prefix="letters-upload-")))
    receiver = _Receiver(upload)
    try:
        parser = MultipartParser(options[b"boundary"], receiver.callbacks())  # type: ignore[arg-type]
        received = 0
        async for chunk in _chunks(request, seconds):
            received += len(chunk)
            if received > limit:
                raise UploadRefused(413, limit_sentence(limit))
            try:
                parser.write(chunk)
            except MultipartParseError:
                raise UploadRefused(400, msg("refusal.upload_malformed")) from None
            if receiver.pending:
                await run_in_threadpool(receiver.flush)
        parser.finalize()
        receiver.flush()
        if receiver.current is not None or receiver.field_name is not None:
            raise UploadRefused(400, msg("refusal.upload_cut_short"))
        upload.files = [f for f in upload.files if f.size or not f.unnamed]
    except BaseException:
        upload.close()
        raise
    finally:
        for handle in receiver.handles:
            handle.close()
    return upload


@asynccontextmanager
async def received(request: Request, state: Web) -> AsyncIterator[Upload]:
    """A place in the upload queue (UploadRefused 503 when it is full) and the request's files,
    removed when the block ends."""
    try:
        async with state.uploads.admitted():
            upload = await receive(request, state.settings.max_upload_bytes,
                                   state.settings.upload_read_seconds)
            try:
                yield upload
            finally:
                upload.close()
    except Busy:
        raise UploadRefused(503, msg("refusal.upload_busy")) from None


async def ingest(state: Web, upload: Upload, by: str, address: str | None) -> list[IngestResult]:
    """Ingest the received files once it is their turn (one result each, in order, named by
    their display names); waiting holds no server thread."""
    async with state.uploads.turn():
        return await run_in_threadpool(_ingest, state, upload, by, address)


def _ingest(state: Web, upload: Upload, by: str, address: str | None) -> list[IngestResult]:
    paths = [f.path for f in upload.files]
    names = {f.path: f.name for f in upload.files}
    results = state.letters.ingest(paths, by=by, names=names, address=address)
    named = [replace(result, path=received.name)
             for result, received in zip(results, upload.files, strict=True)]
    return named


def status_of(upload: Upload, results: list[IngestResult]) -> int:
    """201 when a letter was added or found; else 415 when a file is not a PDF, else 422."""
    if any(r.result != "rejected" for r in results):
        return 201
    if any(not f.is_pdf for f in upload.files):
        return 415
    return 422
