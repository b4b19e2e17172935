import dataclasses

import pytest

from app.privacy import rules


@pytest.fixture
def new_rules_version():
    """The school publishes rules version 2.0 (the bundled text, changed): every guardian is asked again."""
    bundled = rules.catalog()
    newer = dataclasses.replace(bundled.current, version="2.0", changes="新增：照片保存期限改为一学年",
                                template=bundled.current.template + "\n## 十、附则\n\n照片最长保存一学年。\n")
    previous = rules.use_catalog(rules.RulesCatalog(bundled.versions + (newer,)))
    yield "2.0"
    rules.use_catalog(previous)
