"""WeChat's limits on subscribe-message field values (by the key's prefix, e.g. `thing1` → `thing`).

The fake server validates with `field_problem`; the notification code cuts with
`truncate_field`, so a long child or club name never makes a send fail.
"""

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ELLIPSIS = "…"

# prefix → maximum length in characters
_LENGTH_LIMITS = {"thing": 20, "number": 32, "letter": 32, "symbol": 5, "character_string": 32,
                  "phone_number": 17, "car_number": 8, "phrase": 5}
_TIME = re.compile(r"^(\d{1,2}:\d{2}(:\d{2})?|\d{4}年\d{1,2}月\d{1,2}日( \d{1,2}:\d{2}(:\d{2})?)?|"
                   r"\d{4}-\d{2}-\d{2}( \d{1,2}:\d{2}(:\d{2})?)?)$")
_AMOUNT = re.compile(r"^[¥￥$]?\d{1,10}(\.\d{1,2})?元?$")


def field_kind(key: str) -> str:
    """`thing12` → `thing`, `character_string3` → `character_string`."""
    return key.rstrip("0123456789")


def _name_fits(value: str) -> bool:
    cjk = len(_CJK.findall(value))
    return (cjk == 0 and len(value) <= 20) or (cjk > 0 and len(value) <= 10)


def field_problem(key: str, value: str) -> str | None:
    """Why WeChat would refuse this value (errcode 47003), or None if it is acceptable."""
    kind = field_kind(key)
    if not isinstance(value, str) or value == "":
        return "empty"
    if kind in _LENGTH_LIMITS and len(value) > _LENGTH_LIMITS[kind]:
        return "too long"
    if kind == "name" and not _name_fits(value):
        return "too long"
    if kind == "phrase" and not all(_CJK.match(ch) for ch in value):
        return "phrase must be Chinese characters"
    if kind == "number" and not re.fullmatch(r"[\d.]+", value):
        return "not a number"
    if kind == "time" or kind == "date":
        parts = value.split("~")
        if len(parts) > 2 or not all(_TIME.match(p.strip()) for p in parts):
            return "not a time"
    if kind == "amount" and not _AMOUNT.match(value):
        return "not an amount"
    return None


def truncate_field(key: str, value: str) -> str:
    """Cut a value to fit its field's limit, ending in "…" when cut."""
    value = str(value).strip() or "-"
    kind = field_kind(key)
    if kind == "name":
        limit = 10 if _CJK.search(value) else 20
    else:
        limit = _LENGTH_LIMITS.get(kind)
    if limit is None or len(value) <= limit:
        return value
    if kind in ("thing", "name"):
        return value[: limit - 1] + ELLIPSIS
    return value[:limit]
