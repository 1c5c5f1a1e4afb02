"""The HTML report printed by headless Chromium: no blank page, the client's name on page 1.

Both demos (the unfair Acme and its fair counterpart) are rendered with engagement details, printed
to PDF on A4 and on Letter, and every page is rendered to a small greyscale image by ``pdftoppm``. A
page whose body (the area between the running header and the page number) has no dark pixel is
blank. Page 1's text is read with ``pdftotext``. Skipped, with the reason, when Chromium or poppler
is absent (``.ci/run`` installs both with apt).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditrules.report.html import render_html
from tests.test_report_client import ENGAGEMENT, _check

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
#: The body of a page: below the running header (top 9%) and above the page number (bottom 8%).
BODY = (0.09, 0.92)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="headless Chromium and poppler-utils (pdftoppm, pdftotext) are needed: apt-get install chromium poppler-utils",
)


def print_pdf(html: Path, pdf: Path, profile: Path) -> None:
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


def _pgm(path: Path) -> tuple[int, int, bytes]:
    magic, width, height, _maxval, pixels = path.read_bytes().split(maxsplit=4)
    assert magic == b"P5"
    return int(width), int(height), pixels


def blank_pages(pdf: Path, out: Path) -> tuple[int, list[int]]:
    """(page count, numbers of pages whose body has no dark pixel)."""
    subprocess.run(["pdftoppm", "-r", "24", "-gray", str(pdf), str(out / "p")], check=True, timeout=180)
    pages = sorted(out.glob("p-*.pgm"))
    blank = []
    for number, page in enumerate(pages, 1):
        width, height, pixels = _pgm(page)
        top, bottom = int(height * BODY[0]), int(height * BODY[1])
        if min(pixels[top * width : bottom * width], default=255) >= 200:
            blank.append(number)
    return len(pages), blank


@pytest.mark.parametrize("demo", ["acme", "acme-fair"])
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_printed_report_has_no_blank_page_and_names_the_client(demo: str, paper: str, tmp_path: Path) -> None:
    data = _check(
        "--routing",
        str(ROOT / f"examples/{demo}/routing.yaml"),
        "--tickets",
        str(ROOT / f"examples/{demo}/tickets.parquet"),
    )
    html = tmp_path / "report.html"
    html.write_text(render_html({**data, "engagement": {**ENGAGEMENT, "paper": paper}}), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    print_pdf(html, pdf, tmp_path / "profile")
    pages = tmp_path / "pages"
    pages.mkdir()
    count, blank = blank_pages(pdf, pages)
    print(f"{demo} on {paper}: {count} pages, blank: {blank or 'none'}")
    assert not blank, f"blank pages {blank} of {count}"
    assert count <= 45, f"{count} pages: the print should stay readable"
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Acme Retail Ltd" in first
    assert "Page 1 of" in first
    size = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert ("(letter)" if paper == "Letter" else "(A4)") in size
