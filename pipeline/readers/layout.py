"""How a document's blocks become lines of text, shared by the ODF and DOCX readers: a table row is one line
of tab-separated cells, and a title is chosen the same way whatever the format."""

from __future__ import annotations

CELL_GAP = "\t"  # between the cells of a table row
TITLE_MAX = 60  # characters of a first line that can stand as the title


def body_text(lines: list[str], notes: list[str]) -> str:
    """The non-empty lines, then the footnotes after a blank line."""
    text = "\n".join(ln for ln in lines if ln.strip())
    return text + "\n\n" + "\n".join(notes) if notes else text


def row_line(cells: list[str]) -> str:
    """A table row as one line, without its trailing empty cells."""
    while cells and not cells[-1]:
        cells = cells[:-1]
    return CELL_GAP.join(cells)


def document_title(own: str | None, headings: list[str], lines: list[str]) -> str | None:
    """The document's own title (metadata) when its text bears it out -- templates carry stale ones: a
    regulation titled 財政收支劃分法部分條文草案對照表 -- else its first heading, else a short first line
    that is not a table row."""
    squeezed = "".join("".join(lines).split())
    if own and "".join(own.split()) in squeezed:
        return own
    if headings:
        return headings[0]
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    return first if 0 < len(first) <= TITLE_MAX and CELL_GAP not in first else None
