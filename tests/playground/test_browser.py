"""The playground in a real headless browser: Debian's chromium driven by Playwright (its bundled driver, the
system browser), with every request recorded and any that would leave the machine refused.

Skips when /usr/bin/chromium is absent (``.ci/run`` installs it with apt-get and warns when it cannot).
``BACKPROP_PLAYGROUND_SCREENSHOT=docs/playground.png`` also saves the English screenshot there.
"""
import os
import shutil
import signal
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-dejavu-core; .ci/run tries it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("starlette")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def servers():
    """Two servers, English and Russian, on free ports; yields {lang: url}."""
    processes, urls = [], {}
    try:
        for lang in ("en", "ru"):
            process = subprocess.Popen([sys.executable, "-m", "backprop", "playground", "--no-browser", "--port", "0",
                                        "--lang", lang], stdout=subprocess.PIPE, text=True, start_new_session=True)
            processes.append(process)
            urls[lang] = process.stdout.readline().strip()
            assert urls[lang].startswith("http://127.0.0.1:"), urls[lang]
        yield urls
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1400, "height": 900})
        yield context
        context.close()


def open_page(browser, url):
    """A new tab on ``url``; returns it with the list of every URL it asked for (others than ``url``'s host are
    refused, so nothing leaves the machine) and the page's JavaScript errors."""
    page = browser.new_page()
    own = urlsplit(url).netloc
    requested, errors = [], []

    def route(r):
        requested.append(r.request.url)
        return r.continue_() if urlsplit(r.request.url).netloc == own else r.abort()

    page.route("**/*", route)
    page.on("websocket", lambda ws: requested.append(ws.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector('[data-testid="neuron-1-0"] canvas')
    page.wait_for_function("document.querySelector('[data-testid=\"loss-test\"]').textContent !== '—'")
    return page, requested, errors


def text(page, testid):
    return page.text_content(f'[data-testid="{testid}"]')


def test_the_english_page_trains_grows_and_traces(servers, browser, tmp_path):
    page, requested, errors = open_page(browser, servers["en"])
    before = text(page, "loss-test")
    assert text(page, "epoch") == "0"
    page.click('[data-testid="play"]')
    page.wait_for_function("Number(document.querySelector('[data-testid=\"epoch\"]').textContent) >= 5")
    page.click('[data-testid="play"]')
    page.wait_for_function(f"document.querySelector('[data-testid=\"loss-test\"]').textContent !== '{before}'")
    assert int(text(page, "epoch")) >= 5

    neurons = page.locator('[data-testid^="neuron-"]').count()
    assert page.locator('[data-testid="neuron-4-0"]').count() == 0  # 2 hidden layers: layer 3 is the output
    page.click('[data-testid="add-layer"]')
    page.wait_for_selector('[data-testid="add-neuron-3"]')
    assert page.locator('[data-testid^="neuron-"]').count() == neurons + 2  # a new hidden layer of 2
    assert page.locator('[data-testid="neuron-4-0"]').count() == 1  # the output, now layer 4
    assert page.locator('[data-testid="link-3-1-0"]').count() == 1  # layer 2's neuron 1 → layer 3's neuron 0
    page.click('[data-testid="add-neuron-3"]')
    page.wait_for_selector('[data-testid="neuron-3-2"]')
    assert "layers=4%2C2%2C3" in page.url and "seed=" in page.url

    page.click('[data-testid="output-map"]', position={"x": 150, "y": 150})
    page.wait_for_selector('[data-testid="trace"] table')
    assert "Forward pass" in text(page, "trace") and "Optimizer step" in text(page, "trace")

    page.click('[data-testid="remove-neuron-1"]')  # 4 → 3 neurons: fine; then a learning rate the server refuses
    page.wait_for_function("!document.querySelector('[data-testid=\"neuron-1-3\"]')")
    for _ in range(3):
        page.click('[data-testid="remove-neuron-2"]')
    page.wait_for_selector('[data-testid="message"]:not([hidden])')
    assert "layer 2 must have 1 to 8 neurons, got 0" in text(page, "message")

    assert not errors, errors
    own = urlsplit(servers["en"]).netloc
    assert requested and all(urlsplit(u).netloc == own for u in requested), requested
    page.close()


def test_a_screenshot_of_a_trained_network(servers, browser, tmp_path):
    link = servers["en"] + "#dataset=circle&layers=4,2&activations=tanh,tanh&lr=0.1&noise=10&seed=7&showtest=true"
    page, requested, errors = open_page(browser, link)
    page.click('[data-testid="play"]')
    page.wait_for_function("Number(document.querySelector('[data-testid=\"epoch\"]').textContent) >= 60")
    page.click('[data-testid="play"]')
    page.wait_for_function("document.querySelector('[data-testid=\"play\"]').textContent === '▶'")
    page.click('[data-testid="output-map"]', position={"x": 205, "y": 95})
    page.wait_for_selector('[data-testid="trace"] table')
    page.wait_for_timeout(200)
    shot = tmp_path / "playground.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10000
    if os.environ.get("BACKPROP_PLAYGROUND_SCREENSHOT"):
        shutil.copy(shot, os.environ["BACKPROP_PLAYGROUND_SCREENSHOT"])
    assert float(text(page, "accuracy-test").split()[0]) > 70
    assert not errors, errors
    page.close()


def test_the_russian_page_shows_russian_labels_and_a_link_reproduces_the_page(servers, browser, tmp_path):
    page, requested, errors = open_page(browser, servers["ru"])
    assert page.get_attribute("html", "lang") == "ru"
    assert text(page, "dataset").startswith("Круг") or "Круг" in page.inner_text('[data-testid="dataset"]')
    body = page.text_content("body")  # as written (CSS shows some titles in capitals)
    for word in ("Эпоха", "Скорость обучения", "Набор данных", "Потери на тесте", "Трассировка одного шага"):
        assert word in body, word
    page.click('[data-testid="output-map"]', position={"x": 100, "y": 200})
    page.wait_for_selector('[data-testid="trace"] table')
    assert "Прямой проход" in text(page, "trace")
    page.screenshot(path=str(tmp_path / "playground-ru.png"))

    link = servers["ru"] + "#dataset=xor&layers=3&activations=relu&lr=0.1&features=x1,x2,x1x2&seed=42&lang=en"
    other, _, more_errors = open_page(browser, link)
    assert other.get_attribute("html", "lang") == "en"
    assert other.input_value('[data-testid="dataset"]') == "xor"
    assert other.input_value('[data-testid="learning-rate"]') == "0.1"
    assert other.locator('[data-testid^="neuron-0-"]').count() == 3
    assert other.locator('[data-testid="neuron-1-2"]').count() == 1  # one hidden layer of 3
    assert other.locator('[data-testid="neuron-2-0"]').count() == 1  # the output
    full_link = other.url  # the page's own hash, every setting and the seed written out
    session = other.evaluate("window.playground.session")
    other.reload()
    other.wait_for_selector('[data-testid="neuron-2-0"] canvas')
    assert other.url == full_link and not other.is_visible('[data-testid="message"]')
    assert other.evaluate("window.playground.session") == session  # a reload keeps the tab's session
    assert other.input_value('[data-testid="dataset"]') == "xor"
    assert not errors and not more_errors, errors + more_errors
    own = urlsplit(servers["ru"]).netloc
    assert all(urlsplit(u).netloc == own for u in requested), requested


def test_an_uploaded_csv_of_three_classes_and_a_weight_typed_by_hand(servers, browser, tmp_path):
    (tmp_path / "bad.csv").write_text("x1,x2,label\n1,2,a\n3,zz,b\n")
    centres = [(3, 0, "a"), (-2, 3, "b"), (-2, -3, "c")]
    rows = [f"{cx + 0.1 * (i % 7)},{cy - 0.1 * (i % 5)},{name}" for cx, cy, name in centres for i in range(30)]
    (tmp_path / "three.csv").write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    page, requested, errors = open_page(browser, servers["en"] + "#layers=3&activations=relu&seed=3")
    page.set_input_files('[data-testid="upload-csv"]', str(tmp_path / "bad.csv"))
    page.wait_for_selector('[data-testid="message"]:not([hidden])')
    assert "row 2 (line 3), column 'x2': 'zz' is not a number" in text(page, "message")
    page.set_input_files('[data-testid="upload-csv"]', str(tmp_path / "three.csv"))
    page.wait_for_selector('[data-testid="neuron-2-2"]')  # one output per class, softmax and cross-entropy
    assert page.input_value('[data-testid="dataset"]') == "upload" and not page.is_visible('[data-testid="message"]')

    page.select_option('[data-testid="activation"]', "step")
    page.wait_for_function("location.hash.includes('activations=step')")
    page.click('[data-testid="train"]')
    page.wait_for_function("location.hash.includes('train=false')")
    page.once("dialog", lambda dialog: dialog.accept("2.5"))
    page.click('[data-testid="link-1-0-0"]', force=True)
    page.wait_for_function("document.querySelector('[data-testid=\"link-1-0-0\"]').dataset.weight === '2.5'")
    page.click('[data-testid="step"]')  # training is off: the epoch stays
    page.wait_for_timeout(300)
    assert text(page, "epoch") == "0"
    assert not errors, errors
    page.close()


def test_a_link_with_a_bad_setting_shows_the_reason_and_starts_from_the_defaults(servers, browser):
    page, requested, errors = open_page(browser, servers["en"] + "#lr=-1&seed=5")
    assert "lr must be a positive number up to 10, got -1" in text(page, "message")
    assert page.is_visible('[data-testid="message"]')
    assert page.input_value('[data-testid="learning-rate"]') == "0.03"
    assert "lr=0.03" in page.url
    for left in (1, 0):  # two hidden layers, then none left to remove
        page.click('[data-testid="remove-layer"]')
        count = "document.querySelector('[data-testid=\"layer-count\"]').textContent"
        page.wait_for_function(f"{count}.endsWith(': {left}')")
    page.click('[data-testid="remove-layer"]')
    page.wait_for_function("document.querySelector('[data-testid=\"message\"]').textContent.includes('no hidden')")
    assert page.locator('[data-testid="neuron-1-0"]').count() == 1  # layer 1 is now the output
    assert not errors, errors
    page.close()
