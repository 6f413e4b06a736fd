"""axe-core, from the npm registry (`node_modules/axe-core`, installed by `make test`), run in
the page against WCAG 2.2 A and AA."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from app.settings import PROJECT_ROOT

AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_2_2_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Page) -> list[str]:
    """What axe finds wrong with the page as it is now, a line per rule: its id, impact, help
    and the elements concerned."""
    if not page.evaluate("() => 'axe' in window"):
        # Through DevTools, like every evaluate: the page's Content-Security-Policy (which
        # allows no inline script) does not apply, and the page itself is left as it is.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_2_2_A_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in result["violations"]
    ]
