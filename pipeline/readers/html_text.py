"""Visible text of an HTML page or fragment, with paragraph breaks; no scripts, styles or navigation."""

from __future__ import annotations

import re

from lxml import etree, html

_SKIP = {"script", "style", "noscript", "nav", "head", "template", "iframe", "object", "svg", "button", "select"}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "blockquote",
    "pre",
    "form",
    "fieldset",
    "address",
    "figure",
    "figcaption",
    "hr",
    "center",
    "left",
    "body",
    "html",
}
_CELL = {"td", "th"}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre", "hr"}
_PARA, _LINE = "\x1e", "\x1f"  # boundary markers, resolved after the walk
_BOUNDARY = re.compile(r"[\s\x1e\x1f]*[\x1e\x1f][\s\x1e\x1f]*")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def _walk(el: etree._Element, out: list[str]) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in _SKIP or not isinstance(el.tag, str):
        if el.tail:
            out.append(el.tail)
        return
    boundary = _PARA if tag in _PARAGRAPH else _LINE
    if tag in _BLOCK:
        out.append(boundary)
    if tag == "br":
        out.append(_LINE)
    if el.text:
        out.append(el.text)
    for child in el:
        _walk(child, out)
    if tag in _CELL:
        out.append(" ")
    elif tag in _BLOCK:
        out.append(boundary)
    if el.tail:
        out.append(el.tail)


def html_to_text(markup: str) -> str:
    """Paragraphs separated by blank lines, lines by newlines, runs of spaces collapsed; entities decoded.

    Newlines inside text are kept as line breaks: in Chinese a layout break cannot become a space.
    """
    if not markup.strip():
        return ""
    root = html.fromstring(markup)
    out: list[str] = []
    _walk(root, out)
    joined = "".join(out).replace("\r\n", "\n").replace("\n", _LINE)
    text = _BOUNDARY.sub(lambda m: "\n\n" if _PARA in m.group(0) else "\n", joined)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def html_title(markup: str) -> str | None:
    root = html.fromstring(markup) if markup.strip() else None
    if root is None:
        return None
    title = root.find(".//title")
    return title.text_content().strip() if title is not None and title.text_content().strip() else None
