"""Character classes every stage shares, defined once so that ratios, script detection, column detection and
line joining agree on what a Han character is."""

from __future__ import annotations

import re

# CJK Unified Ideographs: Extension A, the URO, the compatibility block, and Extensions B-H (planes 2 and 3).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")  # runs, not characters: counting over runs makes far fewer matches


def han_count(text: str) -> int:
    return sum(map(len, HAN_RUN.findall(text)))
