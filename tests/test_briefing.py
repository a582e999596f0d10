"""The briefing: a self-contained page from a real sweep, checked as a reader sees it in
headless Chromium (skipped, with the reason, where Chromium or Playwright is absent)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import compare, reforms
from sim.briefing import cli as briefing
from tests.conftest import run_sweep

SMALL = ["population.size=3000", "panel.size=0", "run.progress=false", "run.write_panel=false"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def briefing_page(tmp_path_factory) -> Path:
    """baseline and announced_2025 x seeds 0, 1 at 3,000 people to March 2029, appraised, briefed,
    with a sweep of two benefit-rule packages beside it."""
    sweep_dir = tmp_path_factory.mktemp("briefing_sweep")
    run_sweep(sweep_dir, [[f"scenario={scenario}", f"seed={seed}", *SMALL]
                          for scenario in ("baseline", "announced_2025") for seed in (0, 1)])
    assert compare.main([str(sweep_dir)]) == 0
    reforms_dir = tmp_path_factory.mktemp("reforms_sweep")
    run_sweep(reforms_dir, [[f"policy={policy}", "seed=0", *SMALL] for policy in ("pre_2025", "spring_statement_2025")])
    assert reforms.main([str(reforms_dir)]) == 0
    output = tmp_path_factory.mktemp("briefing_out") / "briefing.html"
    assert briefing.main([str(sweep_dir), "--output", str(output), "--reforms", str(reforms_dir)]) == 0
    return output


def test_the_reform_packages_have_their_section_with_published_costings(briefing_page):
    text = briefing_page.read_text(encoding="utf-8")
    section = text[text.index('id="reforms"'):]
    section = section[:section.index("</section>")]
    assert "spring_statement_2025" in section and "PQ 41343" in section and "<img" in section
    assert "No reform sweep" not in section


def test_the_page_is_self_contained_with_every_chart_also_as_png_and_svg(briefing_page):
    text = briefing_page.read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]{0,40})', text)
    assert len(sources) >= 12
    assert all(source.startswith("data:image/png;base64,") for source in sources)
    assert not re.search(r'(src|href)="(https?:)?//', text), "the page must not fetch anything"
    assert "<script" not in text
    charts = briefing_page.parent / "briefing"
    pngs = sorted(path.stem for path in charts.glob("*.png"))
    assert pngs == sorted(path.stem for path in charts.glob("*.svg"))
    assert {"health_benefit_recipients", "inactive_long_term_sick", "health_benefit_spending", "scenario_differences",
            "additional_people_in_work", "gp_appointments_and_relapses", "trailblazer_areas",
            "health_benefit_recipients_by_age", "health_benefit_recipients_by_condition", "reforms"} <= set(pngs)
    # 3,000 people may give no programme a positive effect; the page then says so instead of a chart
    assert "cost_per_job_by_programme" in pngs or "cost per job by programme: not drawn" in text
    assert briefing_page.with_suffix(".pdf").read_bytes().startswith(b"%PDF")


def first_table(text: str) -> pd.DataFrame:
    """The page's first table (the headline), cells unescaped."""
    table = re.search(r"<table>(.*?)</table>", text, re.S).group(1)
    head = [html.unescape(cell) for cell in re.findall(r"<th>(.*?)</th>", table)]
    rows = [[html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table)[1:]]
    return pd.DataFrame(rows, columns=head)


def test_the_headline_table_has_each_scenario_and_the_published_projection(briefing_page):
    headline = first_table(briefing_page.read_text(encoding="utf-8")).set_index("Scenario")
    assert {"baseline", "announced_2025"} <= set(headline.index)
    published = [name for name in headline.index if name.startswith("Published, 2028-29")]
    assert published and headline.loc[published[0], "Health-benefit recipients"].startswith("4.93m")
    assert headline.loc["baseline", "Programme cost (£, present value)"] == "–"
    assert headline.loc["announced_2025", "Programme cost (£, present value)"].startswith("£")
    assert re.match(r"[\d.]+m \([\d.]+m to [\d.]+m\)", headline.loc["baseline", "Health-benefit recipients"])


def test_a_baseline_only_sweep_says_what_is_missing_instead_of_drawing_it(briefing_page, tmp_path):
    source = next(briefing_page.parent.parent.glob("briefing_sweep*"))
    sweep = pd.read_parquet(source / "sweep.parquet")
    sweep[sweep["scenario"] == "baseline"].to_parquet(tmp_path / "sweep.parquet")
    for run in sweep.loc[sweep["scenario"] == "baseline", "run"].unique():
        (tmp_path / run).symlink_to(source / run)
    output = tmp_path / "out" / "briefing.html"
    assert briefing.main([str(tmp_path), "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert "no programme scenario beside the baseline" in text
    assert "scenario differences: not drawn" in text
    assert not (output.parent / "briefing" / "scenario_differences.png").exists()


def test_a_missing_sweep_stops_with_one_line_and_exit_code_2(tmp_path, capsys):
    assert briefing.main([str(tmp_path / "nowhere"), "--output", str(tmp_path / "b.html")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error:") and len(error.splitlines()) == 1
    assert not (tmp_path / "b.html").exists()


OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const overflowing = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.right > width + 1 || element.scrollWidth > element.clientWidth + 1 && element.clientWidth > 0
        && getComputedStyle(element).overflowX === 'visible' && element.tagName !== 'svg') {
      overflowing.push(element.tagName + ': ' + (element.textContent || '').slice(0, 60));
    }
  }
  return {overflowing, pageWidth: document.documentElement.scrollWidth, width};
}"""


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (Debian: apt-get install chromium); "
                                             ".ci/run installs it where it can")
@pytest.mark.parametrize("width", [1100, 550])
def test_chromium_renders_the_page_with_every_image_and_no_overflowing_text(briefing_page, tmp_path, width):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from PIL import Image

    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(briefing_page.as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            layout = page.evaluate(OVERFLOW_SCRIPT)
            page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        finally:
            browser.close()
    assert len(images) >= 12 and all(complete and natural > 0 for complete, natural in images)
    assert layout["overflowing"] == [], layout["overflowing"][:5]
    assert layout["pageWidth"] <= layout["width"]
    pixels = np.asarray(Image.open(tmp_path / "page.png").convert("L"), dtype=float)
    assert pixels.shape[0] > 5 * 900, "the page is the length of a briefing"
    assert (pixels < 200).mean() > 0.02 and pixels.std() > 20, "the screenshot is not blank"
