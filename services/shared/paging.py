"""The HSDS page envelope around a list of items."""
from __future__ import annotations

import math


def envelope(contents: list, total: int, page_number: int, size: int) -> dict:
    total_pages = math.ceil(total / size) if size else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": size,
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
