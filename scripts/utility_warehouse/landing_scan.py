"""Read a landing file once before DuckDB does: its checksum, its size, and for
text files the check that it is valid in its encoding.

DuckDB reads UTF-8 only: a text file in another encoding (and a JSON lines file
with a byte order mark, which DuckDB's JSON reader refuses) is transcoded to UTF-8
in a scratch folder, streaming, and DuckDB reads the copy. A file that is not valid
in the encoding is refused, naming the file, the line and the ``--encoding`` option.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from utility_warehouse.landing_errors import FileProblems

DEFAULT_ENCODING = "utf-8"
CHUNK_BYTES = 1 << 20
TEXT_FORMATS = ("csv", "jsonl")
UTF8_BOM = b"\xef\xbb\xbf"
ENCODING_REMEDY = (
    "pass the file's encoding with --encoding NAME "
    "(e.g. --encoding cp1252 for spreadsheet exports)"
)


@dataclass(frozen=True)
class Scanned:
    """A landing file read once: its checksum, size and the UTF-8 file to read."""

    read_path: Path
    sha256: str
    size_bytes: int


def check_encoding(name: str) -> codecs.CodecInfo:
    """The codec of an encoding name; raises LookupError for an unknown one."""
    info = codecs.lookup(name)
    if not getattr(info, "_is_text_encoding", True):
        raise LookupError(f"{name!r} is not a text encoding")
    return info


def is_utf8(codec: codecs.CodecInfo) -> bool:
    return codec.name in ("utf-8", "utf-8-sig")


def _decode_problem(
    path: Path,
    encoding: str,
    error: UnicodeDecodeError,
    *,
    chunk: bytes,
    consumed: int,
    newlines: int | None,
) -> FileProblems:
    """A file not valid in its encoding: name the file, the place and the remedy."""
    data = error.object if isinstance(error.object, bytes | bytearray) else chunk
    carried = max(len(data) - len(chunk), 0)  # bytes held over from the last chunk
    offset = consumed - carried + error.start
    bad = bytes(data[error.start : error.end][:4]).hex(" ")
    where = f"byte offset {offset}"
    if newlines is not None:
        line = newlines - data[:carried].count(b"\n") + data[: error.start].count(b"\n")
        where = f"line {line + 1}, {where}"
    return FileProblems(
        [
            f"{path.name}: not valid {encoding} text ({where}: bytes {bad}); "
            f"{ENCODING_REMEDY}"
        ]
    )


def _codec_problem(path: Path, encoding: str, error: UnicodeError) -> FileProblems:
    """e.g. "UTF-16 stream does not start with BOM"."""
    return FileProblems(
        [f"{path.name}: not valid {encoding} text ({error}); {ENCODING_REMEDY}"]
    )


def _scan_binary(path: Path, source: BinaryIO) -> Scanned:
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return Scanned(path, digest.hexdigest(), size)


def scan_file(path: Path, file_format: str, encoding: str, scratch: Path) -> Scanned:
    """Read a landing file once: checksum, size, and for text files the check that
    it is valid in ``encoding``; a copy in UTF-8 (without a byte order mark) is
    written to ``scratch`` when DuckDB cannot read the file as it is."""
    if file_format not in TEXT_FORMATS:
        with path.open("rb") as source:
            return _scan_binary(path, source)
    codec = check_encoding(encoding)
    utf8 = is_utf8(codec)
    decoder = codecs.getincrementaldecoder("utf-8" if utf8 else codec.name)("strict")
    ascii_compatible = "\n".encode(codec.name, "ignore") == b"\n"
    newlines: int | None = 0 if ascii_compatible else None
    digest = hashlib.sha256()
    size = 0
    read_path = path
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(path.open("rb"))
        first = source.read(CHUNK_BYTES)
        # DuckDB reads UTF-8 only, and its JSON reader refuses a byte order mark.
        copy = not utf8 or (file_format == "jsonl" and first.startswith(UTF8_BOM))
        target = None
        if copy:
            read_path = scratch / f"{path.name.strip()}.utf8"
            target = stack.enter_context(read_path.open("wb"))
        chunk = first
        start = True
        while chunk:
            digest.update(chunk)
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise _decode_problem(
                    path, encoding, error, chunk=chunk, consumed=size, newlines=newlines
                ) from error
            except UnicodeError as error:
                raise _codec_problem(path, encoding, error) from error
            size += len(chunk)
            if newlines is not None:
                newlines += chunk.count(b"\n")
            if target is not None:
                if start and text.startswith("\ufeff"):
                    text = text[1:]
                target.write(text.encode("utf-8"))
            start = False
            chunk = source.read(CHUNK_BYTES)
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise _decode_problem(
                path, encoding, error, chunk=b"", consumed=size, newlines=newlines
            ) from error
        except UnicodeError as error:
            raise _codec_problem(path, encoding, error) from error
        if target is not None and tail:
            target.write(tail.encode("utf-8"))
    return Scanned(read_path, digest.hexdigest(), size)
