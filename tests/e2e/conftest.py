"""A real server in a thread and a real headless Chromium (Debian's), driven by Playwright."""

import shutil
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from eventapp import create_app
from eventapp.cli import create_user
from eventapp.extensions import db

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Quiet flags: this machine's network is closed, and Chromium would keep trying to phone home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_app(tmp_path):
    app = create_app(
        {"SECRET_KEY": "e2e", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite'}"}
    )
    with app.app_context():
        db.create_all()
        create_user("organiser@example.com", "organiser", "e2e-password")
    return app


@pytest.fixture
def server_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is not installed: `make test-browser` installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
