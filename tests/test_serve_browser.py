"""`bigtech-events serve` driven by a real headless browser (Debian's chromium through chromedriver):
open an event-type facet, follow an actor link, read an evidence sentence on the actor's page.

The test skips only when the browser is not installed; `.ci/run` installs it
(`apt-get install chromium chromium-driver`), so in CI it runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import served_address
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from bigtech_events.serve import DATABASE

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: For a closed network and a root user: no sandbox, GPU, QUIC, first-run pages or background fetches.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1024")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
    reason=f"no browser: {CHROMIUM} or {CHROMEDRIVER} is missing; install Debian's chromium and "
           "chromium-driver (apt-get install chromium chromium-driver, as .ci/run does)")


@pytest.fixture()
def site(built_package: Path) -> Iterator[str]:
    """`bigtech-events serve` of the built package on 127.0.0.1, a free port the system picks."""
    proc = subprocess.Popen([sys.executable, "-m", "bigtech_events", "serve", str(built_package),
                             "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        yield served_address(proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


def _texts(driver: webdriver.Chrome, css: str) -> list[str]:
    return [e.text.strip() for e in driver.find_elements(By.CSS_SELECTOR, css)]


def test_facet_then_actor_then_evidence(site: str, browser: webdriver.Chrome) -> None:
    assert site.startswith("http://127.0.0.1:") and site.endswith(f"/{DATABASE}")
    browser.get(f"{site}/actor_events")
    assert "actor_events" in browser.title
    assert "penalty" in _texts(browser, "#facet-event_type li a")

    browser.find_element(By.CSS_SELECTOR, "#facet-event_type").find_element(By.LINK_TEXT, "penalty").click()
    assert "event_type=penalty" in browser.current_url
    types = _texts(browser, "table.rows-and-columns td.col-event_type")
    assert types and set(types) == {"penalty"}
    assert "Ant Group" in _texts(browser, "td.col-actor")

    browser.find_element(By.CSS_SELECTOR, "td.col-actor").find_element(By.XPATH, "//a[.='Ant Group']").click()
    assert browser.current_url == f"{site}/actors/ant-group"
    assert "Ant Group" in _texts(browser, "td.col-name")

    section = browser.find_element(By.CSS_SELECTOR, "section.related")
    assert section.find_element(By.TAG_NAME, "h2").text == "Events of this actor"
    rows = {(r.find_element(By.CSS_SELECTOR, "td.col-event_type").text,
             r.find_element(By.CSS_SELECTOR, "td.col-evidence").text)
            for r in section.find_elements(By.CSS_SELECTOR, "tbody tr")}
    penalties = [evidence for kind, evidence in rows if kind == "penalty"]
    assert len(penalties) == 1
    assert "Ant Group received a financial penalty of US$984 million" in penalties[0]
