"""The map page in a real browser (Chromium, headless, through selenium): the standalone file and the page
``truce serve`` answers; switching the reading changes the verdict and a zone's colour; hostile ids stay text.

Skipped only where no Chromium binary can be found (``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import truce
from serving import serving
from test_page import HOSTILE, READINGS, hostile_scenario
from truce._page import write_page
from truce._render import FINDING_COLOURS, STATUS_COLOURS

_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000")  # fmt: skip


ROOT = Path(__file__).resolve().parents[1]
_DROP = """
const transfer = new DataTransfer();
transfer.items.add(new File([arguments[0]], arguments[1], {type: "application/yaml"}));
document.body.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
"""  # a file dropped on the page, as a user's drag and drop delivers it


def _found(name: str, *places: str) -> str | None:
    return shutil.which(name) or next((p for p in places if os.access(p, os.X_OK)), None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    binary = _found("chromium", "/usr/bin/chromium") or _found("chromium-browser") or _found("google-chrome")
    if binary is None:
        pytest.skip("no Chromium browser found (apt-get install chromium chromium-driver)")
    driver_path = _found("chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
    assert driver_path is not None, "Chromium is installed but not its driver: apt-get install chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


def _verdict(browser: webdriver.Chrome, status: str) -> str:
    """The verdict's text, once the page shows ``status``."""
    WebDriverWait(browser, 60).until(lambda b: b.find_element(By.ID, "verdict").get_attribute("data-status") == status)
    return str(browser.find_element(By.ID, "verdict").text)


def _zone_stroke(browser: webdriver.Chrome, zone: str) -> str:
    path = browser.find_element(By.CSS_SELECTOR, f'path.truce-zone[data-zone="{zone}"]')
    return str(browser.execute_script("return getComputedStyle(arguments[0]).stroke", path))


def _switch(browser: webdriver.Chrome, reading: str) -> None:
    Select(browser.find_element(By.ID, "reading")).select_by_value(reading)


def _clean_console(browser: webdriver.Chrome) -> list[dict[str, Any]]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def _check_switch(browser: webdriver.Chrome, tmp_path: Path, name: str) -> None:
    """Sochi's reading holds with the buffer zone met; the government's is unmet, the zone violated."""
    assert _verdict(browser, "holds") == "HOLDS"
    assert _zone_stroke(browser, "buffer") == _rgb(FINDING_COLOURS["met"])
    _switch(browser, "government")
    assert _verdict(browser, "conditions_unmet") == "CONDITIONS UNMET (responsible: nfl)"
    badge = browser.find_element(By.ID, "verdict").value_of_css_property("color")
    assert badge.replace("rgba", "rgb").replace(", 1)", ")") == _rgb(STATUS_COLOURS["conditions_unmet"])
    assert _zone_stroke(browser, "buffer") == _rgb(FINDING_COLOURS["violated"])
    assert "heavy-weapons-leave-buffer" in browser.find_element(By.ID, "headline").text
    rows = browser.find_elements(By.CSS_SELECTOR, "#clauses tbody tr")
    assert len(rows) == 5 and "violated" in rows[1].text
    shot = tmp_path / f"{name}.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert _clean_console(browser) == []


def test_the_standalone_page_switches_reading(browser: webdriver.Chrome, tmp_path: Path) -> None:
    page = tmp_path / "map.html"
    write_page(READINGS, page)
    browser.get(page.as_uri())
    assert browser.find_element(By.ID, "repair").text == "Nothing to repair: it holds."
    _check_switch(browser, tmp_path, "standalone")
    asks = [li.get_attribute("data-item") for li in browser.find_elements(By.CSS_SELECTOR, "#repair li.change")]
    assert asks == [c.item for c in truce.repair(READINGS, reading="government").changes]
    assert "With these changes the verdict would be: holds." in browser.find_element(By.ID, "repair").text
    sure = truce.robustness(READINGS, reading="government")
    assert browser.find_element(By.ID, "robustness").get_attribute("data-stable") == ("yes" if sure.stable else "no")
    shown = browser.find_element(By.ID, "robustness").text
    assert sure.summary() in shown and all(f"{d.zone} drawn {d.depth_km:g} km deep" in shown for d in sure.depths)
    assert len(browser.find_elements(By.CSS_SELECTOR, "path.truce-unit")) == 4
    browser.find_element(By.CSS_SELECTOR, 'path.truce-unit[data-item="hts-bn-1"]').click()
    popup = WebDriverWait(browser, 10).until(lambda b: b.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").text)
    assert "Unit hts-bn-1" in popup and "count 300" in popup and "party hts" in popup


def test_the_served_page_evaluates_a_dropped_file_through_the_api(browser: webdriver.Chrome, tmp_path: Path) -> None:
    with serving() as server:
        browser.get(f"http://127.0.0.1:{server.port}/")
        assert "Choose or drop a scenario file" in browser.find_element(By.ID, "verdict").text
        browser.find_element(By.ID, "file").send_keys(str(READINGS))
        _check_switch(browser, tmp_path, "served")
        _switch(browser, "sochi")
        assert _verdict(browser, "holds") == "HOLDS"
        dropped = (ROOT / "examples" / "idlib-2019" / "02-jihadists-stay-in-buffer.yaml").read_text(encoding="utf-8")
        browser.execute_script(_DROP, dropped, "dropped.yaml")
        assert _verdict(browser, "conditions_unmet") == "CONDITIONS UNMET (responsible: hts)"
        browser.execute_script(_DROP, "agreement: idlib-2091\n", "bad.yaml")
        WebDriverWait(browser, 60).until(lambda b: "did you mean 'idlib-2019'?" in b.find_element(By.ID, "problems").text)


def test_hostile_ids_are_shown_as_text_and_never_run(browser: webdriver.Chrome, tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    write_page(hostile_scenario(tmp_path), page)
    browser.get(page.as_uri())
    WebDriverWait(browser, 30).until(lambda b: b.find_element(By.ID, "verdict").get_attribute("data-status"))
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.accept()
    assert browser.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
    assert HOSTILE in browser.find_element(By.ID, "clauses").text
