"""The report in a real browser: it renders cleanly, offline, verdict on the first screen,
and user text full of HTML and script stays text.

Drives Debian's headless Chromium over the DevTools protocol on
`--remote-debugging-pipe` (JSON messages on file descriptors 3 and 4), so it needs no
port, no websocket client and no third-party package. Host names resolve nowhere
(`--host-resolver-rules`), so a report that tried to fetch something fails here
rather than reaching the internet.

Skipped when Chromium is not installed, except under CI (the `CI` variable set),
where a missing browser is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import struct
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from report_outline import ALWAYS, ORDER

import tuneplate
from tuneplate.reports.sections import tuned_parameters
from tuneplate.verticals import VERTICALS

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 900  # the first screen of a laptop
FLAGS = (
    "--headless",
    "--no-sandbox",  # we run as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    f"--window-size={WIDTH},{HEIGHT}",
)
TIMEOUT = 30.0


def _chromium() -> str:
    path = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if path:
        return path
    reason = f"{CHROMIUM} not found: install it with 'apt-get install -y chromium'"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set; .ci/run installs it)")
    pytest.skip(reason)


class Browser:
    """A headless Chromium and a minimal DevTools-protocol client over its pipe."""

    def __init__(self, executable: str, profile: Path):
        to_browser_r, self._out = os.pipe()
        self._in, from_browser_w = os.pipe()

        def child_fds() -> None:  # Chromium reads commands on fd 3, answers on fd 4
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            preexec_fn=child_fds,
            close_fds=False,  # our other descriptors are non-inheritable (PEP 446)
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict[str, Any]] = []

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            if select.select([self._in], [], [], left)[0]:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise EOFError(f"Chromium exited (code {self.proc.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        data = json.loads(message)
        if data.get("method") == "Page.javascriptDialogOpening":  # never block on a dialog
            self._post("Page.handleJavaScriptDialog", {"accept": False}, data.get("sessionId"))
        return data

    def _post(self, method: str, params: dict | None, session: str | None) -> int:
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        return self._last_id

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its answer; events meanwhile go to `events`."""
        wanted = self._post(method, params, session)
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, session: str) -> None:
        def seen() -> bool:
            return any(e["method"] == method and e.get("sessionId") == session for e in self.events)

        deadline = time.monotonic() + TIMEOUT
        while not seen():
            message = self._receive(deadline)
            if "method" in message:
                self.events.append(message)

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
            self.proc.wait(10)
        finally:
            os.close(self._in)
            os.close(self._out)


class Page:
    """One report opened in a fresh tab, with what happened while it loaded."""

    def __init__(self, browser: Browser, path: Path):
        self.browser, self.url = browser, path.resolve().as_uri()
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.target = target
        attached = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.command(f"{domain}.enable")
        self.command(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        self.command("Page.navigate", {"url": self.url})
        browser.wait_for("Page.loadEventFired", self.session)
        # Let late work (lazy images, timers an injected script might set) happen.
        self.evaluate("new Promise(done => setTimeout(done, 300))")

    def command(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        answer = self.command(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    def events(self, method: str) -> list[dict]:
        mine = (e for e in self.browser.events if e.get("sessionId") == self.session)
        return [e["params"] for e in mine if e["method"] == method]

    def console_errors(self) -> list[str]:
        errors = [
            " ".join(str(a.get("value", a.get("description", ""))) for a in e["args"])
            for e in self.events("Runtime.consoleAPICalled")
            if e["type"] in ("error", "assert")
        ]
        errors += [
            e["exceptionDetails"].get("text", "") for e in self.events("Runtime.exceptionThrown")
        ]
        errors += [
            e["entry"]["text"]
            for e in self.events("Log.entryAdded")
            if e["entry"]["level"] == "error"
        ]
        return errors

    def requests(self) -> list[str]:
        """Every URL the page asked for, except the report itself."""
        urls = [e["request"]["url"] for e in self.events("Network.requestWillBeSent")]
        return [u for u in urls if u != self.url]

    def dialogs(self) -> list[str]:
        return [f"{e['type']}: {e['message']}" for e in self.events("Page.javascriptDialogOpening")]

    def screenshot(self, path: Path) -> Path:
        shot = self.command("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = _chromium()
    started = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    try:
        started.send("Browser.getVersion")
    except (EOFError, TimeoutError) as exc:
        started.close()
        pytest.fail(f"{executable} did not start with --remote-debugging-pipe: {exc}")
    yield started
    started.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def _open(path: Path) -> Page:
        pages.append(Page(browser, path))
        return pages[-1]

    yield _open
    for page in pages:
        page.close()


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


RECT = "(s => { const r = document.querySelector(s).getBoundingClientRect(); \
return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })"
# The topmost element at the centre of the verdict badge: is the badge really visible?
BADGE_ON_TOP = """(() => {
  const badge = document.querySelector('#verdict .verdict-box .badge');
  const r = badge.getBoundingClientRect();
  const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  return badge === hit || badge.contains(hit);
})()"""


@pytest.fixture(scope="module", params=sorted(VERTICALS))
def real_report(request, tmp_path_factory) -> tuple[str, Path]:
    """A tiny real run of each vertical (2 trials), rendered to report.html."""
    name = request.param
    family = "logistic" if "logistic" in VERTICALS[name].spaces else None
    result = tuneplate.tune(name, n_trials=2, model=family)
    out = tmp_path_factory.mktemp(name.replace("-", "_"))
    return name, result.report(out / "report.html"), len(tuned_parameters(result))


def test_report_renders_offline_with_the_verdict_on_the_first_screen(
    real_report, open_page, tmp_path
):
    name, path, tuned = real_report
    page = open_page(path)

    assert page.console_errors() == [], f"{name}: console errors"
    assert page.requests() == [], f"{name}: the report made network requests"
    assert page.dialogs() == []
    assert page.evaluate("document.scripts.length") == 0  # the report ships no script at all
    assert page.evaluate("document.title").endswith("model report")

    shot = page.screenshot(tmp_path / f"{name}-first-screen.png")
    assert _png_size(shot) == (WIDTH, HEIGHT)
    assert page.evaluate("[window.scrollY, window.innerWidth, window.innerHeight]") == [
        0,
        WIDTH,
        HEIGHT,
    ]
    section = page.evaluate(f"{RECT}('#verdict')")
    box = page.evaluate(f"{RECT}('#verdict .verdict-box')")
    assert 0 <= section["top"] < HEIGHT, f"{name}: the verdict starts below the first screen"
    assert box["bottom"] <= HEIGHT, f"{name}: the verdict box is cut off at {HEIGHT}px ({box})"
    assert page.evaluate(BADGE_ON_TOP), f"{name}: something covers the verdict badge"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH  # no sideways scroll
    title = page.evaluate("document.querySelector('#verdict .badge').innerText").strip()
    assert title in ("Ready for review", "Use with caution", "Not ready")
    # The first screen also shows why, and the headline numbers with their assumptions.
    why = page.evaluate(f"{RECT}('#verdict .why')")
    assert why["bottom"] <= HEIGHT, f"{name}: the reasons for the verdict are below the fold"
    cards = page.evaluate(
        "[...document.querySelectorAll('#verdict .cards.headline .card')]"
        ".map(c => [c.querySelector('.value').innerText, c.querySelector('.hint').innerText])"
    )
    assert len(cards) == 3 and all(value and hint for value, hint in cards), cards
    first = page.evaluate(f"{RECT}('#verdict .cards.headline')")
    assert first["top"] < HEIGHT, f"{name}: the headline numbers start below the first screen"

    # Sections in the reading order, the contents matching them.
    sections = page.evaluate("[...document.querySelectorAll('main > section')].map(s => s.id)")
    assert sections == [s for s in ORDER if s in sections], sections
    assert set(ALWAYS) <= set(sections)
    contents = page.evaluate(
        "[...document.querySelectorAll('nav a')].map(a => a.getAttribute('href').slice(1))"
    )
    assert contents == sections
    # Every chart carries its conclusion as a visible title and an accessible name.
    labels = page.evaluate("[...document.querySelectorAll('figure svg')].map(s => s.ariaLabel)")
    assert labels and all(labels), labels
    if tuned >= 2:
        assert page.evaluate("!!document.querySelector('#appendix svg#parallel')")


# ------------------------------------------------------------------ hostile user text

# Each would run script if it reached the page unescaped; each handler leaves a trace
# (a dialog, a request for "x", a changed title, an attribute or a global) we look for.
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>document.title='pwned-script'</script>",
    "\"><svg onload=\"document.body.setAttribute('data-pwned','svg')\">",
    "' onmouseover='window.pwned=1' data-x='",
    "<b>bold</b> & \"quoted\" 'single'",
)
PROTECTED = "<img src=x onerror=\"document.title='pwned-column'\">"  # a column name
EXCLUDED = "</script><script>window.pwned='excluded'</script>"  # another one


def _hostile_loans(n: int = 600, seed: int = 3) -> pd.DataFrame:
    """A loan book whose protected column's name and values are HTML and script.

    The target depends on two ordinary features only (no leakage, no checks stop the
    run); the protected column is independent of it, with groups of ~120 rows so each
    clears the fairness table's minimum group size on the hold-out.
    """
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 0.4, n).round(0)
    debt_ratio = rng.uniform(0, 1, n).round(3)
    logit = -1.2 + 2.0 * debt_ratio - 0.5 * (np.log(income) - 10)
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "income": income,
            "debt_ratio": debt_ratio,
            PROTECTED: rng.choice(PAYLOADS, n),
            EXCLUDED: rng.normal(size=n).round(2),
            "status": np.where(bad, "bad", "good"),
        }
    )


@pytest.mark.skipif("credit-risk" not in VERTICALS, reason="needs the credit-risk vertical")
def test_html_in_user_data_stays_text_in_the_browser(open_page, tmp_path):
    result = tuneplate.tune(
        "credit-risk",
        _hostile_loans(),
        target="status",
        protected=[PROTECTED],
        exclude=[EXCLUDED],
        n_trials=2,
        model="logistic",
    )
    groups = result.table("fairness").frame["Group"].tolist()
    assert set(PAYLOADS) <= set(groups), "the payloads must reach the fairness table"
    path = result.report(tmp_path / "report.html")
    page = open_page(path)

    assert page.dialogs() == [], "a script opened a dialog"
    assert page.requests() == [], "an injected element fetched something"
    assert page.console_errors() == []
    assert page.evaluate("document.title") == "Credit risk: model report"
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.querySelectorAll('main img, main b, svg[onload]').length") == 0
    assert page.evaluate("document.body.getAttribute('data-pwned')") is None
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert (
        page.evaluate("document.querySelectorAll('[onerror], [onload], [onmouseover]').length") == 0
    )

    text = page.evaluate("document.body.innerText")
    for literal in (*PAYLOADS, PROTECTED, EXCLUDED):
        assert literal in text, f"{literal!r} is not shown as text"
    cells = page.evaluate(
        "[...document.querySelectorAll('table[data-table=fairness] tbody td')]"
        ".map(c => c.textContent)"
    )
    assert set(PAYLOADS) <= set(cells)
    assert PROTECTED in cells


# ------------------------------------------------------------------ tuneplate validate


def test_validation_page_renders_offline_with_the_verdict_on_the_first_screen(open_page, tmp_path):
    """A German credit run validated on a copy with one input shifted: the page opens
    offline, with no script or request, and its first screen says "drifting" and why."""
    run = tmp_path / "run"
    tuneplate.tune("credit-risk", n_trials=3, model="logistic").save(run)
    rows = VERTICALS["credit-risk"].example().table.copy()
    rows["credit_amount"] = rows["credit_amount"] * 3
    v = tuneplate.validate(run, rows.drop(columns="creditability"), out=tmp_path / "check")
    page = open_page(tmp_path / "check" / "validation.html")

    assert page.console_errors() == [] and page.requests() == [] and page.dialogs() == []
    assert page.evaluate("document.scripts.length") == 0
    assert _png_size(page.screenshot(tmp_path / "validation.png")) == (WIDTH, HEIGHT)
    badge = page.evaluate("document.querySelector('#verdict .badge').innerText").strip()
    assert badge == v.verdict == "drifting: watch"
    assert page.evaluate(BADGE_ON_TOP)
    why = page.evaluate(f"{RECT}('#verdict .why')")
    assert why["bottom"] <= HEIGHT, "the reasons for the verdict are below the fold"
    reasons = page.evaluate("document.querySelector('#verdict .why').innerText")
    assert "credit_amount" in reasons
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    contents = page.evaluate(
        "[...document.querySelectorAll('nav a')].map(a => a.getAttribute('href').slice(1))"
    )
    assert contents == page.evaluate(
        "[...document.querySelectorAll('main > section')].map(s => s.id)"
    )
