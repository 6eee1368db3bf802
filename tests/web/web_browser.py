"""A real browser for the page's tests: Debian's Chromium driven by Selenium through Debian's
chromedriver. Nothing downloads a browser: Selenium Manager is skipped because the driver's path
is given. Tests that need it call :func:`require_chromium` first, which skips them with one
clear reason when the packages are missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ampt_sync.web import auth
from ampt_sync.web.app import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = (360, 780)
DESKTOP = (1280, 900)
#: Set to a folder to keep the screenshots (the README's come from here).
KEEP_SCREENSHOTS = "PAGE_SCREENSHOTS_DIR"


def require_chromium() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(
            f"browser tests skipped: {' and '.join(missing)} not found; install Debian's "
            "`chromium chromium-driver` packages to run them (.ci/run does)"
        )


@contextmanager
def chromium(profile: Path) -> Iterator[object]:
    """A headless Chromium with its own profile folder, quit at the end."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",  # nothing leaves this machine
        "--disable-component-update",
        "--disable-sync",
        "--metrics-recording-only",
        f"--user-data-dir={profile}",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_width(driver: object, size: tuple[int, int]) -> None:
    """Lay the page out as a device ``size`` wide would (a phone: mobile viewport)."""
    width, height = size
    driver.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def click_and_wait(driver, element) -> None:
    """Click a form's button and wait until the next page has replaced this one."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    def replaced(_driver: object) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            # Chromium sometimes says a detached node "does not belong to the document"
            # instead of calling it stale: the page was replaced all the same.
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    element.click()
    WebDriverWait(driver, 15).until(replaced)


def sign_in_with_a_link(driver, base: str, page: Page) -> None:
    from selenium.webdriver.common.by import By

    with page.store.transaction() as session:
        token = auth.new_sign_in_token(session, now=page.now())
    driver.delete_all_cookies()
    driver.get(f"{base}/signin?token={token}")
    found = driver.find_elements(By.ID, "use-link")
    # Say what the browser showed instead (a refused link, an error page), for the next look.
    assert found, f"no sign-in button at {driver.current_url}: {driver.page_source[:600]!r}"
    click_and_wait(driver, found[0])
    assert driver.current_url == f"{base}/"


def shot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 5000
    keep = os.environ.get(KEEP_SCREENSHOTS)
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def csp_violations(driver) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
    ]
