"""The territory-wide files' pages, mounted by `register(app)`."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Mount every blueprint of the diagnostic package (one import line per module)."""
    from consult.diagnostic.views.files import bp as files_bp  # "Files and reports", jobs, downloads

    for blueprint in (files_bp,):
        app.register_blueprint(blueprint)
