"""Visible text of an HTML page or fragment, as a browser lays it out, without site chrome; pages that are not
content (directory listings, server error pages) recognised as such.

Whitespace follows CSS: inside text, a run of source whitespace (spaces, tabs, line breaks) is one space --
and nothing between two East Asian wide characters (Han, kana, CJK punctuation): `主\\n任 委 員` is 主任委員,
`SHEN\\n   MARILYN` is SHEN MARILYN. Non-breaking and ideographic spaces are kept (one space for a run).
Block elements make lines, paragraphs and tables blank-line breaks; <pre> keeps its lines. Navigation is left
out: <nav>, page-level <header>/<footer>, elements whose class or id names navigation (menu, breadcrumb, gotop
...), and links whose whole text is a navigation phrase ("Top", 回頁首, 列印, 回上頁 ...), which government
sites put under every notice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
    "caption",
}
_CELL = {"td", "th"}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre", "hr"}
# Class or id tokens of site chrome: navigation bars, menus, breadcrumbs, "go to top" and share widgets.
_CHROME_NAME = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|menubar|breadcrumbs?|sitemap|toolbar|share|social|"
    r"skip|skiplink|accesskey|top|gotop|go-top|backtotop|pagination|pager)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Whole link texts that only move around a site.
_NAV_PHRASES = frozenset(
    p.casefold()
    for p in (
        "top",
        "back to top",
        "go top",
        "gotop",
        "print",
        "close",
        "back",
        "home",
        "回頁首",
        "回頂端",
        "回到頂端",
        "回最上方",
        "回上頁",
        "回上一頁",
        "上一頁",
        "下一頁",
        "回首頁",
        "回列表",
        "返回列表",
        "返回",
        "列印",
        "友善列印",
        "列印本頁",
        "分享",
        "關閉",
        "關閉視窗",
        "網站導覽",
        "跳到主要內容",
        "跳到主要內容區塊",
        ":::",
        "^",
        "▲",
        "↑",
    )
)
_PARA, _LINE, _BREAK = "\x1e", "\x1f", "\x1d"  # paragraph / line boundaries and source line breaks, resolved last
_INLINE_SPACE = re.compile(r"[ \t\r\n\f]+")
_BOUNDARY = re.compile(r"[ \t\u00a0\u3000\x1d]*[\x1e\x1f][\s\x1d\x1e\x1f]*")
_SEGMENT = re.compile("\x1d+")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def _wide(char: str) -> bool:
    """East Asian wide or full-width, other than Hangul: where CSS drops a line break between two of them."""
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F") and not 0xAC00 <= ord(char) <= 0xD7AF


def _inline(text: str) -> str:
    """Source whitespace of a text node (spaces, tabs, line breaks; not &nbsp;) as one collapsible marker."""
    return _INLINE_SPACE.sub(_BREAK, text)


def _is_chrome(el: etree._Element, tag: str) -> bool:
    if tag in ("header", "footer"):  # a page's banner or footer; inside an article they hold its title or notes
        return not any(a.tag in ("article", "main") for a in el.iterancestors() if isinstance(a.tag, str))
    names = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
    if names and _CHROME_NAME.search(names):
        return True
    if tag == "a":
        return " ".join(el.text_content().split()).casefold() in _NAV_PHRASES
    return False


def _walk(el: etree._Element, out: list[str], in_pre: bool = False) -> None:
    """Text pieces and boundary markers of `el` and its tail; `in_pre`: inside preformatted text."""
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    tail = (el.tail if in_pre else _inline(el.tail)) if el.tail else ""
    if not tag or tag in _SKIP or _is_chrome(el, tag):
        out.append(tail)
        return
    pre = in_pre or tag in ("pre", "textarea", "listing", "plaintext")
    boundary = _PARA if tag in _PARAGRAPH else _LINE
    if tag in _BLOCK:
        out.append(boundary)
    if tag == "br":
        out.append(_LINE)
    if el.text:
        out.append(el.text.replace("\n", _LINE) if pre else _inline(el.text))
    for child in el:
        _walk(child, out, pre)
    if tag in _CELL:
        out.append(" ")
    elif tag in _BLOCK:
        out.append(boundary)
    out.append(tail.replace("\n", _LINE) if in_pre else tail)


def _join_segments(text: str) -> str:
    """Each run of source whitespace: nothing between two wide characters, else one space."""
    parts = _SEGMENT.split(text)
    out = [parts[0]]
    for part in parts[1:]:
        before, after = out[-1][-1:], part[:1]
        out.append(part if _wide(before) and _wide(after) else " " + part)
    return "".join(out)


def _text_of(root: etree._Element) -> str:
    out: list[str] = []
    _walk(root, out)
    text = _join_segments("".join(out))
    text = _BOUNDARY.sub(lambda m: "\n\n" if _PARA in m.group(0) else "\n", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def html_to_text(markup: str) -> str:
    """Paragraphs separated by blank lines, lines by newlines, inline whitespace as a browser shows it."""
    if not markup.strip():
        return ""
    return _text_of(html.fromstring(markup))


def html_title(markup: str) -> str | None:
    root = html.fromstring(markup) if markup.strip() else None
    return _title(root) if root is not None else None


def _title(root: etree._Element) -> str | None:
    title = root.find(".//title")
    text = " ".join(title.text_content().split()) if title is not None else ""
    return text or None


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    not_content: str | None = None  # why the page is not a document (a directory listing, an error page)


_LISTING_TITLE = re.compile(r"^(?:index of|directory listing for|directory of)\s*/", re.IGNORECASE)
_ERROR_TITLE = re.compile(
    r"^(?:error\s*)?(?:[45]\d\d\b|not found|forbidden|access denied|bad request|service unavailable|"
    r"internal server error|找不到網頁|網頁不存在|查無此頁|無法顯示網頁|系統錯誤|錯誤訊息)",
    re.IGNORECASE,
)
_PARENT = re.compile(r"^\s*(?:\[?\s*to\s+)?parent\s+directory\s*\]?\s*$", re.IGNORECASE)
_FILE_NAME = re.compile(r"^[\w.~%+-]+/?$")


def read_page(markup: str) -> Page:
    """A whole HTML page: its visible text and title, or why it is not content.

    Not content: a web server's directory listing ("Index of /...", a Parent Directory link, then only file
    names), a server error page (a 4xx/5xx or 找不到網頁 title over a few lines), a page that only redirects.
    """
    if not markup.strip():
        return Page("", None)
    try:
        root = html.fromstring(markup)
    except etree.ParserError:  # markup with no element in it ("<html", a lone comment): nothing to read
        return Page("", None)
    title = _title(root)
    heading = root.find(".//h1")
    head = " ".join(heading.text_content().split()) if heading is not None else ""
    text = _text_of(root)
    listing = _listing(root, title or "", head)
    if listing:
        return Page(text, title, listing)
    lines = [line for line in text.splitlines() if line.strip()]
    if _ERROR_TITLE.match(title or head) and len(lines) <= 8 and len(text) < 600:
        return Page(text, title, f"a server error page ({title or head!r})")
    refresh = root.find(".//meta[@http-equiv]")
    if refresh is not None and str(refresh.get("http-equiv")).lower() == "refresh" and len(text) < 200:
        return Page(text, title, f"a page that only redirects ({(refresh.get('content') or '').strip()!r})")
    return Page(text, title)


def _listing(root: etree._Element, title: str, heading: str) -> str | None:
    """A directory listing: its title or heading says so, or a Parent Directory link with file names only."""
    names = [" ".join(a.text_content().split()) for a in root.iter("a")]
    parent = any(_PARENT.match(n) for n in names)
    if _LISTING_TITLE.match(title) or _LISTING_TITLE.match(heading):
        return f"a web server's directory listing ({title or heading!r}, {len(names)} links)"
    others = [n for n in names if n and not _PARENT.match(n)]
    if parent and others and all(_FILE_NAME.match(n) for n in others):
        return f"a web server's directory listing (Parent Directory and {len(others)} file names)"
    return None
