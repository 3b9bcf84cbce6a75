"""Fixtures shared by the territory tests: a visitor."""
from __future__ import annotations

import pytest


@pytest.fixture
def visitor(app):
    """Another browser, not logged in: what the public sees (no flashed message from the coordinator)."""
    return app.test_client()
