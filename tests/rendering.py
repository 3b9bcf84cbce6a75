"""Test helpers that watch SQL statements: those run while a template renders, and per-request counts.

A page must load what its templates walk in the view (or the service it calls): a lazy load or a query
from a template runs once per row shown, and runs while the response is produced. `RenderGuard` records
every statement the database receives between Flask's `before_render_template` and `template_rendered`
signals; includes, imports and macros are part of the one render that surrounds them. A streamed template
counts from its creation to the end of its generation.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, request_started, template_rendered, before_render_template
from sqlalchemy import event

from consult.extensions import db


@dataclass
class Statement:
    """One SQL statement, with the template being rendered when it ran (None: outside rendering)."""

    sql: str
    template: str | None


@dataclass
class RenderGuard:
    """Records the statements of each request, marking those run while a template renders."""

    app: Flask
    statements: list[Statement] = field(default_factory=list)
    _rendering: list[str] = field(default_factory=list)

    def __enter__(self) -> RenderGuard:
        # Strong references (weak=False): the signals would otherwise drop bound methods.
        request_started.connect(self._request_started, self.app, weak=False)
        before_render_template.connect(self._before_render, self.app, weak=False)
        template_rendered.connect(self._rendered, self.app, weak=False)
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._execute)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._execute)
        request_started.disconnect(self._request_started, self.app)
        before_render_template.disconnect(self._before_render, self.app)
        template_rendered.disconnect(self._rendered, self.app)

    def _request_started(self, _sender, **_extra) -> None:
        # A render that raised never sends `template_rendered`: each request starts outside any render.
        self.statements.clear()
        self._rendering.clear()

    def _before_render(self, _sender, template, **_extra) -> None:
        self._rendering.append(template.name)

    def _rendered(self, _sender, template, **_extra) -> None:
        if self._rendering:
            self._rendering.pop()

    def _execute(self, _conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        self.statements.append(Statement(statement, self._rendering[-1] if self._rendering else None))

    @property
    def while_rendering(self) -> list[Statement]:
        """The last request's statements run while a template rendered."""
        return [s for s in self.statements if s.template is not None]

    @property
    def count(self) -> int:
        """How many statements the last request ran (BEGIN included)."""
        return len(self.statements)
