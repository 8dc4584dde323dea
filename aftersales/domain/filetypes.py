"""Does a file's content match the type its name claims? Judged from its first bytes.

An upload is allowed by its extension (an allow-list in settings); this module adds the
check that the bytes really are of that type, so an executable or an HTML page renamed to
`report.pdf` (or to `debug.log`: text a browser would open as a page) is refused. Pure: bytes in, verdict out; the caller reads the head of the file
(`SNIFF_BYTES` are enough) and says whether that head is the whole file.

Types without a known signature (an extension an operator added to the allow-list) are not
judged here: `check_content` answers `kind=None` and the caller keeps the extension check.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass

SNIFF_BYTES = 8192
"""How much of the head the checks look at (text is decoded this far)."""

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File Binary: legacy .doc/.xls/.ppt
_ZIP_HEADERS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")  # a member, an empty archive, spanned
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}


def _is_pdf(head: bytes, whole_file: bool) -> bool:
    # The PDF reference lets readers accept the header anywhere in the first 1024 bytes.
    return b"%PDF-" in head[:1024]


def _is_png(head: bytes, whole_file: bool) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(head: bytes, whole_file: bool) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _is_gif(head: bytes, whole_file: bool) -> bool:
    return head[:6] in (b"GIF87a", b"GIF89a")


def _is_webp(head: bytes, whole_file: bool) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_heif(head: bytes, whole_file: bool) -> bool:
    # ISO base media file: a box size, "ftyp", then the major brand.
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def _is_zip(head: bytes, whole_file: bool) -> bool:
    return head[:4] in _ZIP_HEADERS


def _is_ole2(head: bytes, whole_file: bool) -> bool:
    return head.startswith(_OLE2)


def _decodes(head: bytes, encoding: str, whole_file: bool) -> bool:
    # A head cut from a longer file may end inside a multi-byte character: only the whole
    # file must end on a character boundary.
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(head, final=whole_file)
    except UnicodeDecodeError:
        return False
    return True


def _is_text(head: bytes, whole_file: bool) -> bool:
    """UTF-8 (with or without a BOM) or GB18030 without NUL bytes; UTF-16 with a BOM (what
    Windows tools write) is text too, NULs and all."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        body = head[2:]
        if not whole_file:
            body = body[: len(body) - len(body) % 2]
        return _decodes(body, "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be", whole_file)
    if b"\x00" in head:
        return False
    return _decodes(head, "utf-8-sig", whole_file) or _decodes(head, "gb18030", whole_file)


# What a browser takes for an HTML page when it sniffs a file's type (the WHATWG MIME
# Sniffing standard's "HTML" patterns): after leading whitespace, one of these tags, case
# insensitive, followed by a space or ">".
_HTML_TAGS = (b"!doctype html", b"html", b"head", b"script", b"iframe", b"h1", b"div", b"font", b"table",
              b"a", b"style", b"title", b"b", b"body", b"br", b"p", b"!--")
_HTML_WHITESPACE = b" \t\n\x0c\r"


def _text_head(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes to look for markup in (UTF-16 turned into UTF-8)."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(encoding, errors="ignore").encode()
    return head.removeprefix(codecs.BOM_UTF8)


def looks_like_html(head: bytes) -> bool:
    """Whether a browser sniffing `head` would treat the file as an HTML page."""
    text = _text_head(head).lstrip(_HTML_WHITESPACE).lower()
    if not text.startswith(b"<"):
        return False
    for tag in _HTML_TAGS:
        after = text[1 + len(tag):2 + len(tag)]
        if text[1:1 + len(tag)] == tag and after in (b" ", b">"):
            return True
    return False


def _is_plain_text(head: bytes, whole_file: bool) -> bool:
    """Text that is not an HTML page in disguise (a log, notes, CSV, JSON, mail)."""
    return _is_text(head, whole_file) and not looks_like_html(head)


@dataclass(frozen=True)
class _Kind:
    name: str
    matches: Callable[[bytes, bool], bool]


_PDF = _Kind("pdf", _is_pdf)
_PNG = _Kind("png", _is_png)
_JPEG = _Kind("jpeg", _is_jpeg)
_GIF = _Kind("gif", _is_gif)
_WEBP = _Kind("webp", _is_webp)
_HEIF = _Kind("heif", _is_heif)
_OFFICE = _Kind("office", _is_zip)  # docx/xlsx/pptx are ZIP packages
_ZIP = _Kind("zip", _is_zip)
_LEGACY_OFFICE = _Kind("legacy_office", _is_ole2)
_TEXT = _Kind("text", _is_plain_text)
_XML = _Kind("text", _is_text)  # XML may start with any element, <a> and <p> included
_EMAIL = _Kind("email", _is_plain_text)

KINDS_BY_EXTENSION: dict[str, _Kind] = {
    ".pdf": _PDF,
    ".png": _PNG,
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".gif": _GIF,
    ".webp": _WEBP,
    ".heic": _HEIF,
    ".heif": _HEIF,
    ".docx": _OFFICE,
    ".xlsx": _OFFICE,
    ".pptx": _OFFICE,
    ".zip": _ZIP,
    ".doc": _LEGACY_OFFICE,
    ".xls": _LEGACY_OFFICE,
    ".ppt": _LEGACY_OFFICE,
    ".msg": _LEGACY_OFFICE,  # Outlook messages are compound files too
    ".txt": _TEXT,
    ".log": _TEXT,
    ".csv": _TEXT,
    ".tsv": _TEXT,
    ".json": _TEXT,
    ".xml": _XML,
    ".md": _TEXT,
    ".eml": _EMAIL,
}


@dataclass(frozen=True)
class ContentCheck:
    """`kind`: what the extension claims ("pdf", "png", "jpeg", "gif", "webp", "heif",
    "office", "zip", "legacy_office", "text", "email"), or None when this module knows no
    signature for it; `matches`: whether the bytes are of that kind (True when kind is None)."""

    kind: str | None
    matches: bool


def check_content(extension: str, head: bytes, *, whole_file: bool) -> ContentCheck:
    """Judge `head` (the first bytes of a file, at least `SNIFF_BYTES` unless the file is
    shorter; `whole_file` when it is all of it) against the type `extension` (".pdf",
    any case) claims."""
    kind = KINDS_BY_EXTENSION.get(extension.lower())
    if kind is None:
        return ContentCheck(kind=None, matches=True)
    if len(head) > SNIFF_BYTES:
        head, whole_file = head[:SNIFF_BYTES], False
    return ContentCheck(kind=kind.name, matches=kind.matches(head, whole_file))
