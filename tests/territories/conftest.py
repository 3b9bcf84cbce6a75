"""Fixtures shared by the territory tests: the coordinator, a visitor, templates compiled once."""
from __future__ import annotations

import pytest
from jinja2 import BytecodeCache

from consult.accounts.models import Role


@pytest.fixture
def coordinator(make_user, territory):
    """The coordinator of Terres des Confluences (not logged in)."""
    return make_user("coordination.confluences@example.org", display_name="Coordination CLS Terres des Confluences",
                     role=(territory, Role.COORDINATOR))


@pytest.fixture
def as_coordinator(coordinator, login):
    """The coordinator of Terres des Confluences, logged in on `client`."""
    login(coordinator)
    return coordinator


@pytest.fixture
def visitor(app):
    """Another browser, not logged in: what the public sees (no flashed message from the coordinator)."""
    return app.test_client()


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory across the per-test apps (a new app would compile them all again)."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


# Each test builds a new app; sharing this cache saves compiling every template again for each test.
COMPILED_TEMPLATES = SharedBytecodeCache()


@pytest.fixture
def app(app):
    """The shared `app`, compiling each template once per test run instead of once per test."""
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app
