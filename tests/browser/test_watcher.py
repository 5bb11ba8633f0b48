"""The safety net itself: the page watcher does see CSP violations, script errors and failed loads."""

from __future__ import annotations

import pytest

from tests.browser.support import expect

pytestmark = pytest.mark.browser


def test_watcher_reports_csp_violations_script_errors_and_missing_files(page, problems):
    response = page.goto("/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert problems.all() == []

    page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend', '<p style="color: red">inline style</p>');
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true;';
        document.body.appendChild(script);
        setTimeout(() => { throw new Error('boom from a test'); }, 0);
        const link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = '/static/css/missing.css';
        document.head.appendChild(link);
        fetch('/static/js/missing.js');
    }""")
    for _ in range(60):  # the events arrive asynchronously; waiting lets Playwright deliver them
        if len(problems.all()) >= 5:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("() => window.inlineRan") is None  # the CSP did block the inline script

    seen = problems.all()
    assert any("Content Security Policy" in p and "style-src" in p for p in seen), seen
    assert any("Content Security Policy" in p and "script-src" in p for p in seen), seen
    assert any("boom from a test" in p for p in seen), seen
    # A stylesheet answered with the HTML 404 page is refused (nosniff) and logged; a fetched one shows its status.
    assert any("missing.css" in p for p in seen), seen
    assert any(p.startswith("HTTP 404: GET") and p.endswith("/static/js/missing.js") for p in seen), seen
    problems.items.clear()  # expected here; the teardown check must not fail this test
