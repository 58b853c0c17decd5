"""The HTML reports in a real headless Chromium (selenium): what a consultant sees and prints.

Needs ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` (Debian: ``apt-get install chromium
chromium-driver``). Without them the tests are skipped with a message; with
``MIPS_REQUIRE_BROWSER=1`` (set by ``.ci/run``) a missing browser is a failure instead. The
driver path is given explicitly, so Selenium Manager never downloads anything.

Screenshots go to ``$MIPS_SCREENSHOT_DIR`` if set, else to the test's tmp_path; the path is printed
(``pytest -s`` shows it).

The documents are the hand-made ones of ``test_html.py`` (arbitrary test inputs, no CMS data);
pytest's default import mode puts this folder on ``sys.path``, so it imports as ``test_html``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_html import RENDERERS, plan_document

from optimizer.report.formatting import dollars, number, percent, signed_percent
from optimizer.report.html import render_plan_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_ENVIRONMENT_VARIABLE = "MIPS_REQUIRE_BROWSER"
SCREENSHOT_ENVIRONMENT_VARIABLE = "MIPS_SCREENSHOT_DIR"
WINDOW = (1280, 2000)


def _unavailable(message: str) -> None:
    if os.environ.get(REQUIRE_ENVIRONMENT_VARIABLE) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENVIRONMENT_VARIABLE}=1 forbids skipping)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """One headless Chromium for the module; skipped (or failed under MIPS_REQUIRE_BROWSER=1) if absent."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not (path.is_file() and os.access(path, os.X_OK))]
    if missing:
        _unavailable(f"headless-browser tests need {' and '.join(missing)}: apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:  # pragma: no cover - selenium is in the [test] extra
        _unavailable(f"headless-browser tests need selenium (pip install -e '.[test]'): {error}")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def _open(driver: Any, page: str, folder: Path, name: str) -> Path:
    """Write the page to a file and open it by file:// URL (clearing the console log first)."""
    path = folder / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    driver.get_log("browser")  # drop anything left from an earlier page
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    return path


def _by_testid(driver: Any, name: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')


def _severe(driver: Any) -> list[dict[str, Any]]:
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def _resources(driver: Any) -> list[str]:
    return driver.execute_script("return performance.getEntriesByType('resource').map(entry => entry.name)")


def _screenshot(driver: Any, tmp_path: Path, name: str) -> Path:
    """A full-page PNG (beyond the window) through the DevTools protocol."""
    folder = Path(os.environ.get(SCREENSHOT_ENVIRONMENT_VARIABLE) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": WINDOW[0], "height": height, "deviceScaleFactor": 1, "mobile": False}
    )
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    data = base64.b64decode(shot["data"])
    assert data.startswith(b"\x89PNG")
    target.write_bytes(data)
    print(f"screenshot: {target}")
    return target


def test_plan_report_in_headless_chromium(driver: Any, tmp_path: Path) -> None:
    document = plan_document()
    best = document["recommended"]
    _open(driver, render_plan_html(document), tmp_path, "plan")

    assert driver.title == "MIPS 2026 plan: Test Clinic (hand-made)"
    assert _severe(driver) == []
    assert _resources(driver) == [], "the report made network requests"

    expected = {
        "recommended-pathway": best["pathway"],
        "expected-final-score": number(best["expected_final_score"]),
        "final-score-interval": f"{number(best['final_score_interval'][0])}–{number(best['final_score_interval'][1])}",
        "probability-threshold": percent(100 * best["probability_at_or_above_threshold"], 0),
        "expected-dollars": dollars(best["expected_payment_adjustment_dollars"]),
        "expected-dollars-low": dollars(best["expected_payment_adjustment_dollars_by_scaling"]["low"]),
        "expected-dollars-high": dollars(best["expected_payment_adjustment_dollars_by_scaling"]["high"]),
        "expected-percent": signed_percent(best["expected_payment_adjustment_percent"]),
    }
    for name, text in expected.items():
        shown = _by_testid(driver, name)
        assert shown.is_displayed(), name
        assert shown.text == text, name
    assert expected["expected-final-score"] == "80.85" and expected["expected-dollars"] == "+$5,434"

    # The recommendation is the first thing on screen, and the page does not scroll sideways.
    box = _by_testid(driver, "recommendation")
    assert box.is_displayed() and box.rect["y"] < 400 and box.rect["height"] > 100
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")

    # Every chart is laid out with a real size; the main ones are wide enough to read.
    from selenium.webdriver.common.by import By

    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 3 + 1 + 1 + 2  # points per measure, final score, payment curve, two pathway charts
    for svg in charts:
        assert svg.size["width"] > 0 and svg.size["height"] > 0
    for name in ("chart-final-score", "chart-payment-curve", "chart-pathway-scores", "chart-pathway-dollars"):
        figure = _by_testid(driver, name)
        svg = figure.find_element(By.TAG_NAME, "svg")
        assert figure.is_displayed() and svg.size["width"] >= 300 and svg.size["height"] >= 60, name
    bars = driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=chart-pathway-scores] rect')]"
        ".map(rect => rect.getBoundingClientRect().width)"
    )
    assert len(bars) == 2 and all(width > 10 for width in bars)

    _screenshot(driver, tmp_path, "plan-report")


def test_plan_report_prints(driver: Any, tmp_path: Path) -> None:
    _open(driver, render_plan_html(plan_document()), tmp_path, "plan-print")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert driver.execute_script("return window.matchMedia('print').matches")
        box = _by_testid(driver, "recommendation")
        assert box.is_displayed() and box.size["height"] > 0
        assert _by_testid(driver, "expected-final-score").text == "80.85"
        # The print style sheet drops the box's background.
        background = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", box)
        assert background in ("rgba(0, 0, 0, 0)", "transparent")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = base64.b64decode(driver.print_page())
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    folder = Path(os.environ.get(SCREENSHOT_ENVIRONMENT_VARIABLE) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan-report.pdf").write_bytes(pdf)
    print(f"pdf: {folder / 'plan-report.pdf'}")
    assert _severe(driver) == []


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_every_report_opens_cleanly(driver: Any, tmp_path: Path, kind: str) -> None:
    render, build = RENDERERS[kind]
    _open(driver, render(build()), tmp_path, kind)
    assert driver.title
    assert _severe(driver) == []
    assert _resources(driver) == []
    assert _by_testid(driver, "recommendation").is_displayed()
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    sizes = driver.execute_script(
        "return [...document.querySelectorAll('svg.chart')].map(svg => svg.getBoundingClientRect()).map(r => [r.width, r.height])"
    )
    assert sizes and all(width > 0 and height > 0 for width, height in sizes)


def test_markup_in_the_document_does_not_run(driver: Any, tmp_path: Path) -> None:
    hostile = "<script>window.pwned = true; document.title = 'pwned'</script><img src=x onerror='window.pwned=true'>"
    _open(driver, render_plan_html(plan_document(scenario=hostile)), tmp_path, "hostile")
    assert driver.title == f"MIPS 2026 plan: {hostile}"
    assert driver.execute_script("return window.pwned === undefined && document.scripts.length === 0 && document.images.length === 0")
    assert _resources(driver) == []
    assert _severe(driver) == []


def test_a_real_plan_report_shows_the_gain_over_today_and_where_quality_work_pays(driver: Any, tmp_path: Path, data_dir: Path, cli) -> None:
    """The riverside example through the real CLI: the gain over the current selection shown on the
    page equals the difference of two separate scorings (current and recommended selections, each on
    its own forecast with the same seed); the quality-work row and the provenance are there too."""
    import json

    import numpy as np
    from selenium.webdriver.common.by import By

    from optimizer.inputs.loading import load_scenario
    from optimizer.inputs.scenario import with_optimize_overrides
    from optimizer.planning.plan import evaluate_selection, prepare_forecast
    from optimizer.planning.resolve import resolve

    scenario_path = Path(__file__).resolve().parents[2] / "scenarios" / "riverside-family-medicine.toml"
    pages = {}
    for suffix in ("html", "json"):
        target = tmp_path / f"riverside.{suffix}"
        result = cli("plan", scenario_path, "--draws", "100", "--report-date", "2026-01-20", "--output", target, "--data-dir", data_dir)
        assert result.returncode == 0, result.stderr.decode()[-2000:]
        pages[suffix] = target
    document = json.loads(pages["json"].read_text(encoding="utf-8"))
    best = document["recommended"]

    scenario, catalog = load_scenario(scenario_path, data_dir)
    scenario = with_optimize_overrides(scenario, {"draws": 100})

    def scored(pathway: str, keys: Any, activities: Any) -> Any:
        resolved = resolve(scenario)
        candidates, forecast = prepare_forecast(resolved, catalog)
        return evaluate_selection(resolved, catalog, pathway, tuple(keys), tuple(activities), candidates, forecast).outlook

    current = scored(scenario.pathway, scenario.reported, scenario.improvement_activities.attested)
    recommended = scored(best["pathway"], [(m["measure_id"], m["collection_type"]) for m in best["quality_measures"]], best["improvement_activities"])
    gain = float(np.mean(recommended.score.payment_dollars["default"] - current.score.payment_dollars["default"]))
    threshold = document["performance_threshold"]

    driver.get_log("browser")
    driver.get(pages["html"].as_uri())
    assert _severe(driver) == [] and _resources(driver) == []
    box = _by_testid(driver, "recommendation")
    assert box.rect["y"] < 400
    shown = {
        "gain-over-current": dollars(gain),
        "threshold-change": f"{percent(100 * current.probability_at_or_above(threshold), 0)} → {percent(100 * recommended.probability_at_or_above(threshold), 0)}",
        "probability-better-than-current": percent(100 * float(np.mean(recommended.final_scores > current.final_scores)), 0),
        "recommended-pathway": best["pathway"],
        "provenance-report-date": "2026-01-20 (given with --report-date)",
    }
    for name, text in shown.items():
        assert _by_testid(driver, name).text == text, name
    assert _by_testid(driver, "gain-over-current").is_displayed()
    top = document["quality_work"]["measures"][0]
    row = _by_testid(driver, f"quality-work-{top['measure_id']}-{top['collection_type']}")
    assert dollars(top["dollars_per_care_gap"]) in [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert "care gap" in [term.text for term in _by_testid(driver, "glossary").find_elements(By.TAG_NAME, "dt")]
    assert _by_testid(driver, "unfillable-mvps").is_displayed()
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    _screenshot(driver, tmp_path, "plan-report-riverside")
