"""The administration pages are checked in English, their source language, whatever the catalogue holds."""

import pytest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BABEL_DEFAULT_LOCALE": "en"}
