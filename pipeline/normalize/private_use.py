"""Private-use code points (造字): legacy user-defined characters, replaced by the standard ones they stand for.

Agencies drew characters their Big5 fonts lacked (蟎, 麴, 牀 ...) into the user-defined area; in Unicode these
land in the Private Use Area, where no font or tokenizer agrees on them. A training corpus must not carry them,
and quarantining a whole current law for one of them loses the law. So each one is replaced: by the character a
table maps it to (private_use.yaml, every entry citing its evidence: the same article in another source, a
published mapping), by nothing where the table says it is a stray mark, and otherwise by 〓 (U+3013, the
typesetter's mark for a missing character). What was replaced is recorded per document: where, the code point,
what replaced it and on what basis.

Each agency kept its own 造字 table, so a code point is only as good as the sources its entry was seen in; a
config can add entries of its own (`private_use_table`), which win over the built-in ones.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

BUILT_IN = Path(__file__).with_name("private_use.yaml")
MISSING = "\u3013"  # 〓
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


class PrivateUseTableError(ValueError):
    """A private-use table that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Replacement:
    """One private-use code point replaced in a document's text or title."""

    field: str  # text | title
    offset: int  # in the published field
    code: str  # U+E5F9
    char: str  # what stands there now: the mapped character, "" (deleted) or 〓
    basis: str  # table (the built-in table or the config's) | unmapped

    def as_row(self) -> dict[str, object]:
        return {"field": self.field, "offset": self.offset, "code": self.code, "char": self.char, "basis": self.basis}


@dataclass(frozen=True)
class PrivateUseTable:
    chars: dict[int, str | None]  # code point -> replacement ("" = delete, None = not established)
    digest: str

    def replace(self, text: str, field: str = "text") -> tuple[str, list[Replacement]]:
        """The text with every private-use code point replaced, and what was replaced where (offsets in the
        returned text)."""
        if not PRIVATE_USE.search(text):
            return text, []
        out: list[str] = []
        done: list[Replacement] = []
        at = length = 0
        for m in PRIVATE_USE.finditer(text):
            out.append(text[at : m.start()])
            length += m.start() - at
            code = ord(m.group(0))
            mapped = self.chars.get(code)
            char, basis = (mapped, "table") if mapped is not None else (MISSING, "unmapped")
            done.append(Replacement(field, length, f"U+{code:04X}", char, basis))
            out.append(char)
            length += len(char)
            at = m.end()
        out.append(text[at:])
        return "".join(out), done


def _parse(path: Path) -> dict[int, str | None]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PrivateUseTableError(f"{path}: not a readable YAML file: {exc}") from exc
    entries = data.get("mappings") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PrivateUseTableError(f"{path}: expected a `mappings:` list")
    chars: dict[int, str | None] = {}
    for i, entry in enumerate(entries):
        where = f"{path}: mappings[{i}]"
        code = str(entry.get("code", "")) if isinstance(entry, dict) else ""
        match = re.fullmatch(r"U\+([0-9A-Fa-f]{4,6})", code)
        if not match or not PRIVATE_USE.fullmatch(chr(int(match.group(1), 16))):
            raise PrivateUseTableError(f"{where}: code {code!r} is not a private-use code point written U+XXXX")
        char = entry.get("char")
        if char is not None and (not isinstance(char, str) or len(char) > 1 or PRIVATE_USE.search(char)):
            raise PrivateUseTableError(f'{where}: char {char!r} must be one standard character, "" or null')
        if not str(entry.get("evidence") or "").strip():
            raise PrivateUseTableError(f"{where}: {code} has no evidence")
        chars[int(match.group(1), 16)] = char
    return chars


@lru_cache(maxsize=8)
def load_table(extra: Path | None = None) -> PrivateUseTable:
    """The built-in table, with the entries of `extra` (a config's own table) winning."""
    chars = _parse(BUILT_IN)
    digest = hashlib.sha256(BUILT_IN.read_bytes())
    if extra is not None:
        chars |= _parse(extra)
        digest.update(extra.read_bytes())
    return PrivateUseTable(chars, digest.hexdigest()[:16])
