"""Decode policy for Taiwan government files: BOM -> declared -> strict UTF-8 -> strict CP950 -> quarantine.

Taiwan Big5 is decoded as cp950 (plain `big5` rejects ETEN characters such as 碁 and box drawing) and never as
big5hkscs, which silently maps Taiwan user-defined 造字 codes to unrelated Hong Kong characters.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Declared names as publishers write them -> the codec twcorpus uses for them.
_DECLARED = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "utf-8-bom": "utf-8-sig",
    "utf8bom": "utf-8-sig",
    "big5": "cp950",
    "big-5": "cp950",
    "cp950": "cp950",
    "ms950": "cp950",
    "big5-eten": "cp950",
}


class DecodeFailure(ValueError):
    """The bytes fit no allowed codec; `detail` says where each attempt failed."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    how: str  # bom | declared | utf-8 | cp950 | per-line (each line UTF-8 or CP950)


def canonical_declared(declared: str | None) -> str | None:
    if not declared:
        return None
    key = declared.strip().lower().replace("_", "-").replace(" ", "")
    return _DECLARED.get(key)


def _big5_user_defined(data: bytes) -> list[str]:
    """Lead bytes of Big5 user-defined areas (0x81-0xA0, 0xC6A1-0xC8FE, 0xFA-0xFE) as hex codes."""
    found: list[str] = []
    i = 0
    while i < len(data) - 1:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        pair = (b << 8) | data[i + 1]
        if 0x81 <= b <= 0xA0 or 0xFA <= b <= 0xFE or 0xC6A1 <= pair <= 0xC8FE:
            found.append(f"0x{pair:04X}")
        i += 2
    return found


# Big5 user-defined areas and the private-use code points Windows' CP950 gives them (157 codes a lead byte:
# trail bytes 0x40-0x7E, then 0xA1-0xFE), as the agencies' systems wrote them.
_EUDC_AREAS = ((0xFA, 0xFE, 0xE000), (0x8E, 0xA0, 0xE311), (0x81, 0x8D, 0xEEB8))
_EUDC_ERRORS = "twcorpus-big5-eudc"


def eudc_code_point(lead: int, trail: int) -> int | None:
    """The private-use code point of a Big5 user-defined byte pair, or None when the pair is not one."""
    if 0x40 <= trail <= 0x7E:
        column = trail - 0x40
    elif 0xA1 <= trail <= 0xFE:
        column = trail - 0xA1 + 63
    else:
        return None
    for first, last, base in _EUDC_AREAS:
        if first <= lead <= last:
            return base + (lead - first) * 157 + column
    if lead == 0xC6 and trail >= 0xA1:  # C6A1-C8FE (C6 40-7E are standard characters)
        return 0xF6B1 + trail - 0xA1
    if lead in (0xC7, 0xC8):
        return 0xF6B1 + 94 + (lead - 0xC7) * 157 + column
    return None


def _eudc_handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    data = exc.object
    if exc.start + 1 < len(data):
        code = eudc_code_point(data[exc.start], data[exc.start + 1])
        if code is not None:
            return chr(code), exc.start + 2
    raise exc


codecs.register_error(_EUDC_ERRORS, _eudc_handler)

_SNIFF = 65536
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


def _binary(data: bytes) -> str | None:
    """Why the bytes are not text (NUL or control bytes where text has next to none), or None."""
    head = data[:_SNIFF]
    if not head:
        return None
    nul = head.count(0)
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if nul > len(head) // 100 or control > len(head) // 20:
        return f"not text: {nul} NUL and {control} control bytes in the first {len(head):,} (starts {head[:8].hex()})"
    return None


def _line_by_line(data: bytes) -> str | None:
    """Text whose lines are each strict UTF-8 or strict CP950 (files concatenated from two systems), else None."""
    lines: list[str] = []
    for raw in data.splitlines(keepends=True):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(raw.decode("cp950"))
            except UnicodeDecodeError:
                return None
    return "".join(lines)


def _codecs_to_try(declared: str | None) -> list[str]:
    """The codecs a text without a BOM is tried in, in order: the declared one, strict UTF-8, strict CP950."""
    return list(dict.fromkeys(c for c in (canonical_declared(declared), "utf-8", "cp950") if c))


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode strictly; raise DecodeFailure naming the offsets and user-defined codes when nothing fits."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec, "bom")
            except UnicodeDecodeError as exc:
                raise DecodeFailure("decode_error", f"{codec} BOM present but bytes invalid at {exc.start}") from exc
    why = _binary(data)
    if why:
        raise DecodeFailure("binary_content", why)
    attempts: list[str] = []
    hinted = canonical_declared(declared)
    for codec in _codecs_to_try(declared):
        try:
            how = "declared" if codec == hinted else codec
            return Decoded(data.decode(codec), codec, how)
        except UnicodeDecodeError as exc:
            attempts.append(f"{codec} fails at byte {exc.start} ({data[exc.start : exc.start + 2].hex()})")
    mixed = _line_by_line(data)
    if mixed is not None:
        return Decoded(mixed, "utf-8+cp950", "per-line")
    udc = _big5_user_defined(data)
    if udc:
        try:  # the 造字 become private-use code points, which normalisation replaces (normalize/private_use.py)
            return Decoded(data.decode("cp950", errors=_EUDC_ERRORS), "cp950+eudc", "cp950")
        except UnicodeDecodeError as exc:
            shown = ", ".join(sorted(set(udc))[:20])
            attempts.append(f"cp950 with user-defined codes fails at byte {exc.start}")
            raise DecodeFailure(
                "big5_user_defined_chars", f"Big5 user-defined (造字) codes {shown}; " + "; ".join(attempts)
            ) from exc
    raise DecodeFailure("undecodable", "; ".join(attempts))


STREAM_CHUNK = 1 << 24  # bytes decoded at a time when a file is checked without being held whole


def streamed_codec(path: Path, declared: str | None = None) -> str | None:
    """The codec `decode_bytes` picks for the file at `path`, found by decoding it a chunk at a time without
    keeping its text -- or None where only the whole bytes decide (a UTF-16 BOM, bytes that look binary, lines
    in two codecs, Big5 造字, no text at all): such a file is decoded whole."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF)
    if head.startswith(codecs.BOM_UTF8):
        order = ["utf-8-sig"]
    elif any(head.startswith(bom) for bom, _ in _BOMS) or _binary(head):
        return None
    else:
        order = _codecs_to_try(declared)
    for codec in order:
        found = _decodes(path, codec)
        if found is not None:
            return codec if found else None
    return None


def _decodes(path: Path, codec: str) -> bool | None:
    """Whether the file holds text other than whitespace, when all of it decodes strictly with `codec`; None
    when it does not."""
    decoder = codecs.getincrementaldecoder(codec)()
    text = False
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(STREAM_CHUNK):
                part = decoder.decode(chunk)
                text = text or (bool(part) and not part.isspace())
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return text
