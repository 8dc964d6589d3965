"""Which data.gov.tw datasets hold text, judged from their catalogue row alone (nothing is downloaded).

About one in fifty of the platform's datasets is text; the rest are tables of figures, places and names. A
dataset is text when one of its resources is a document (PDF, ODT, DOCX, ...), when its field list (主要欄位說明)
names a column of running text (內容, 全文, 摘要, 答案, ...), or when its title names a genre of text (新聞稿,
問答集, 會議紀錄, 函釋, ...) and no genre of figures (統計, 名冊, 預算, ...). The word lists were drawn from the
titles and formats of the real catalogue; benchmarks/catalog/text_select.py measures what each rule picks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.sources.datagovtw_catalog import CatalogEntry

# Resource formats whose content is prose by nature (the platform's format vocabulary, lower-cased).
DOCUMENT_FORMATS = frozenset({"pdf", "odt", "odp", "doc", "docx", "ppt", "pptx", "txt", "rtf", "html", "htm"})

# A field name ending in one of these holds running text.
_TEXT_FIELD_ENDINGS = (
    "內容",
    "內文",
    "全文",
    "本文",
    "摘要",
    "條文",
    "主文",
    "理由",
    "答覆",
    "回覆",
    "答案",
    "解答",
    "新聞稿",
    "詳細說明",
    "內容說明",
)
_TEXT_FIELD_NAMES = frozenset({"content", "contents", "body", "text", "fulltext", "abstract", "summary", "answer"})

# Genres of text a title names ...
_TEXT_GENRES = (
    "新聞稿",
    "新聞",
    "法規",
    "函釋",
    "問答",
    "常見問題",
    "FAQ",
    "Q&A",
    "Ｑ＆Ａ",
    "會議紀錄",
    "會議記錄",
    "公報",
    "判決",
    "裁判書",
    "語料",
    "摺頁",
    "電子報",
    "致詞",
    "講稿",
    "演講",
    "施政報告",
    "施政方針",
    "專刊",
    "集刊",
    "期刊",
    "季刊",
    "月刊",
    "論文",
    "協議",
    "原則",
    "介紹",
    "簡介",
    "案例",
    "彙編",
    "實錄",
    "要旨",
    "報導",
    "規範",
    "決定書",
    "研究案",
    "研究報告",
    "成果報告",
    "行動計畫",
    "白皮書",
    "要點",
    "須知",
    "規定",
    "辦法",
    "條例",
    "最新消息",
    "公告資訊",
    "宣導",
    "手冊",
    "指引",
    "教材",
)
# ... and genres of figures and lists, which win over them (統計表 of 新聞 is figures).
_FIGURE_GENRES = (
    "統計",
    "人數",
    "件數",
    "數量",
    "金額",
    "地價",
    "現值",
    "預算",
    "決算",
    "債務",
    "支出",
    "一覽表",
    "名冊",
    "名單",
    "名錄",
    "清冊",
    "目錄",
    "點閱",
    "則數",
    "比率",
    "概況",
    "筆數",
    "座標",
    "位置",
    "明細",
    "貸放",
    "情形",
    "資料表",
    "報表",
    "委員名",
    "違反",
    "代碼",
    "代號",
    "地點",
    "觀測資料",
    "人次",
)

_FIELD_SEPARATORS = re.compile(r"[;；、,，\n]+")


def field_names(description: str | None) -> list[str]:
    """The column names of a 主要欄位說明 cell (`、`-joined in older exports, `;` in newer ones)."""
    return [part.strip() for part in _FIELD_SEPARATORS.split(description or "") if part.strip()]


def is_text_field(name: str) -> bool:
    """A column name that holds running text: 新聞內容, 條文, 答案, content ..."""
    bare = re.sub(r"[\s(（].*$", "", name.strip())  # 內容(HTML) -> 內容
    return bare.lower() in _TEXT_FIELD_NAMES or bare.endswith(_TEXT_FIELD_ENDINGS)


# A title that is a law's name (公害糾紛處理法, 公司法施行細則) is the law's text.
_LAW_NAME = re.compile(r"[\u4e00-\u9fff]{2,}(?:(?<![方作用])法|規則|細則|準則|通則|標準)$")


def title_genre(title: str | None) -> str | None:
    """The text genre a dataset title names, unless it also names figures or lists."""
    title = (title or "").strip()
    if names_figures(title):
        return None
    if _LAW_NAME.search(title):
        return "法規名稱"
    return next((word for word in _TEXT_GENRES if word in title), None)


def names_figures(title: str | None) -> bool:
    """A title naming figures or lists (統計, 人數, 名冊, 預算 ...): a table, also when published as a PDF."""
    return any(word in (title or "") for word in _FIGURE_GENRES)


def text_reason(entry: CatalogEntry) -> str | None:
    """Why a catalogue row is a text dataset (`format pdf`, `field 新聞內容`, `title 新聞稿`), or None."""
    formats = sorted({r.format for r in entry.resources} & DOCUMENT_FORMATS)
    if formats and not names_figures(entry.title):
        return f"format {formats[0]}"
    field = next((f for f in field_names(entry.fields) if is_text_field(f)), None)
    if field:
        return f"field {field}"
    genre = title_genre(entry.title)
    return f"title {genre}" if genre else None
