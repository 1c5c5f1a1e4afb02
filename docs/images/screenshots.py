"""Regenerate the README's report screenshots: ``python docs/images/screenshots.py`` (needs Chromium).

Renders the Acme demo's report with engagement details and a trend against the fair demo, then
screenshots the cover, one failing rule (FAIR-002) and the trend view with headless Chromium.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from auditrules.report.html import render_html  # noqa: E402
from auditrules.report.trend import compare  # noqa: E402
from tests.test_report_client import ENGAGEMENT, _check  # noqa: E402

HIDE = "<style>header.masthead, footer, main > *:not(#{keep}) {{ display: none !important; }}</style></head>"


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("google-chrome")
    if chromium is None:
        raise SystemExit("needs chromium on PATH")
    acme = _check(
        "--routing", str(ROOT / "examples/acme/routing.yaml"), "--tickets", str(ROOT / "examples/acme/tickets.parquet")
    )
    fair = _check(
        "--routing",
        str(ROOT / "examples/acme-fair/routing.yaml"),
        "--tickets",
        str(ROOT / "examples/acme-fair/tickets.parquet"),
    )
    trend = compare(acme, fair, current_name="2026 audit", previous_name="2025 audit")
    page = render_html({**acme, "engagement": ENGAGEMENT}, trend=trend)
    with tempfile.TemporaryDirectory() as tmp:
        shots = {
            "cover": page,
            "rule": page.replace("</head>", HIDE.format(keep="rule-FAIR-002"), 1),
            "trend": page.replace("</head>", HIDE.format(keep="trend"), 1),
        }
        for name, html in shots.items():
            src = Path(tmp) / f"{name}.html"
            src.write_text(html, encoding="utf-8")
            subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    f"--user-data-dir={tmp}/profile",
                    "--hide-scrollbars",
                    "--window-size=1100,1000",
                    f"--screenshot={ROOT / 'docs' / 'images' / f'report-{name}.png'}",
                    src.as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
