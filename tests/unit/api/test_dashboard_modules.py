"""The dashboard's files hang together: the page loads ECharts and the entry module from the
ledger itself with no inline script, every module the entry imports exists, every panel of the
DOM contract is registered, and every label the dashboard asks for exists in both languages.

No browser: these read the committed files (the browser tests drive the page itself).
"""

from __future__ import annotations

import re
from pathlib import Path

from api.web.pages import STATIC

DASHBOARD = STATIC / "dashboard"
PANELS = {
    "kpis", "payouts", "caseload", "overdue", "temporary", "beds", "organizations",
    "villages", "audit", "integrity", "health",
}  # fmt: skip
IMPORT = re.compile(r"""^\s*import\s+(?:[^'"]*?\s+from\s+)?["'](\./[^"']+|\.\./[^"']+)["']""", re.M)
LABEL = re.compile(r"""\bt\(["'`](dash\.[A-Za-z0-9_.]+)["'`]""")


def module_graph(entry: Path) -> set[Path]:
    """Every module reachable from `entry` by relative static imports."""
    seen: set[Path] = set()
    todo = [entry]
    while todo:
        module = todo.pop().resolve()
        if module in seen:
            continue
        seen.add(module)
        assert module.is_file(), f"{module.relative_to(STATIC.resolve())} is imported but missing"
        todo += [module.parent / found for found in IMPORT.findall(module.read_text("utf-8"))]
    return seen


def test_the_page_loads_echarts_then_the_entry_module_and_runs_no_inline_script() -> None:
    html = (STATIC / "index.html").read_text("utf-8")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert [body.strip() for _, body in scripts] == ["", ""], "no inline script (the CSP)"
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in scripts]  # type: ignore[union-attr]
    assert sources == ["/vendor/echarts/echarts.min.js", "/static/dashboard/app.js"]
    assert 'type="module"' in scripts[1][0]
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html), "nothing from another host"


def test_every_module_the_entry_imports_exists_and_every_panel_is_registered() -> None:
    modules = module_graph(DASHBOARD / "app.js")
    assert DASHBOARD.joinpath("drill.js").resolve() in modules
    registered = set()
    for module in modules:
        registered |= set(re.findall(r"""name:\s*"([a-z]+)",""", module.read_text("utf-8")))
    assert registered >= PANELS


def test_every_label_the_dashboard_asks_for_exists_in_chinese_and_in_english() -> None:
    messages = (DASHBOARD / "messages.js").read_text("utf-8")
    zh_part, en_part = messages.split("\nconst en = {", 1)
    keys = {
        lang: set(re.findall(r'^\s+"(dash\.[^"]+)":', part, re.M))
        for lang, part in (("zh", zh_part), ("en", en_part))
    }
    assert keys["zh"] == keys["en"], "the same labels in both languages"
    asked = set()
    for module in [*DASHBOARD.glob("*.js"), *DASHBOARD.glob("panels/*.js")]:
        text = module.read_text("utf-8")
        asked |= set(LABEL.findall(text))
        # a module may add its own labels (addMessages({zh: {...}, en: {...}})), in both
        own = {lang: set(re.findall(r'"(dash\.[^"]+)":', part)) for lang, part in _own_labels(text)}
        if own:
            assert own.get("zh") == own.get("en"), f"{module.name}: the same labels in both"
            keys["zh"] |= own["zh"]
    html = (STATIC / "index.html").read_text("utf-8")
    asked |= set(re.findall(r'data-text="(dash\.[^"]+)"', html))
    assert asked, "the dashboard asks for its labels by key"
    assert sorted(asked - keys["zh"]) == []


def test_the_token_form_can_never_put_the_token_in_a_url() -> None:
    """Before (or without) header.js, a submit must send no token anywhere: the field has no
    name (an unnamed field is never submitted) and the form posts (no query string)."""
    html = (STATIC / "index.html").read_text("utf-8")
    form = re.search(r"<form[^>]*data-form=\"token\"[^>]*>", html)
    field = re.search(r"<input[^>]*id=\"token\"[^>]*>", html)
    assert form and field
    assert 'method="post"' in form.group(0)
    assert "name=" not in field.group(0)


def test_the_overview_and_the_drill_pages_name_codes_from_one_vocabulary() -> None:
    """messages.js (the overview) and drill-names.js (the drill pages) both read vocabulary.js,
    and neither keeps names of its own for the codes (so 已终止 is 已终止 on both)."""
    messages = (DASHBOARD / "messages.js").read_text("utf-8")
    drill = (DASHBOARD / "drill-names.js").read_text("utf-8")
    assert './vocabulary.js"' in messages and './vocabulary.js"' in drill
    kinds = "programme|status|deadline|finding|rule|step|conversion"
    own = re.findall(rf'"dash\.(?:{kinds})\.', messages)
    assert own == []
    vocabulary = (DASHBOARD / "vocabulary.js").read_text("utf-8")
    for code in ("terminationReason.death", "caseStatus.terminated", "rule.A01", "grade.5A"):
        assert f'"{code}"' in vocabulary, code


def _own_labels(text: str) -> list[tuple[str, str]]:
    """The zh and en parts of a module's `addMessages({ zh: {...}, en: {...} })` call."""
    call = text.find("addMessages({")
    if call < 0:
        return []
    body = text[call:]
    zh, en = body.find("zh: {"), body.find("en: {")
    if zh < 0 or en < 0:
        return []
    end = body.find("});", en)
    return [("zh", body[zh:en]), ("en", body[en:end])]
