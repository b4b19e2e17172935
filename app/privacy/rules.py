"""The 儿童个人信息处理规则 as data: one Markdown file per version in `texts/`, listed in `texts/versions.json`
(oldest first, the last is current). Served filled in with the school's name and the operator's contact."""

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from app.core.config import get_settings

TEXTS = Path(__file__).parent / "texts"
NO_SCHOOL = "您孩子就读的学校"
NO_CONTACT = "请通过学校联系"


@dataclass(frozen=True)
class RulesVersion:
    version: str
    effective_from: date
    title: str
    changes: str
    template: str  # Markdown with {school_name} and {operator_contact}

    def render(self, school_name: str | None) -> str:
        return self.template.replace("{school_name}", school_name or NO_SCHOOL) \
            .replace("{operator_contact}", get_settings().privacy_contact or NO_CONTACT)


@dataclass(frozen=True)
class RulesCatalog:
    versions: tuple[RulesVersion, ...]

    @classmethod
    def load(cls, folder: Path) -> "RulesCatalog":
        listing = json.loads((folder / "versions.json").read_text(encoding="utf-8"))["versions"]
        versions = tuple(RulesVersion(version=v["version"], effective_from=date.fromisoformat(v["effective_from"]),
                                      title=v["title"], changes=v["changes"],
                                      template=(folder / v["file"]).read_text(encoding="utf-8"))
                         for v in listing)
        if not versions or len({v.version for v in versions}) != len(versions):
            raise ValueError(f"{folder}/versions.json must list distinct versions")
        return cls(versions)

    @property
    def current(self) -> RulesVersion:
        return self.versions[-1]

    def get(self, version: str) -> RulesVersion | None:
        return next((v for v in self.versions if v.version == version), None)


_override: RulesCatalog | None = None


@lru_cache
def _bundled() -> RulesCatalog:
    return RulesCatalog.load(TEXTS)


def catalog() -> RulesCatalog:
    return _override or _bundled()


def use_catalog(replacement: RulesCatalog | None) -> RulesCatalog | None:
    """Serve other versions (tests: "a new version asks again"); returns the previous override."""
    global _override
    previous, _override = _override, replacement
    return previous


def current_version() -> str:
    return catalog().current.version


def sections(markdown: str) -> list[dict]:
    """The document as the mini-program shows it: `## ` headings, each with its paragraphs and `- ` items."""
    out: list[dict] = [{"title": "", "lines": []}]
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line or line.startswith("# "):
            continue
        if line.startswith("## "):
            out.append({"title": line[3:].strip(), "lines": []})
        elif line.startswith("- "):
            out[-1]["lines"].append({"text": line[2:].strip(), "item": True})
        else:
            out[-1]["lines"].append({"text": line, "item": False})
    return [s for s in out if s["title"] or s["lines"]]
