"""Browser tests: Playwright (sync API) driving headless Chromium against a live server."""
