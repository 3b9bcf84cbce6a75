"""The diagnostic package's blueprints, mounted by `register(app)`."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Mount every blueprint of the territory-wide files (one import line per module)."""
    from consult.diagnostic.views.fiche_files import bp as fiche_files_bp  # one fiche as PDF or ODT
    from consult.diagnostic.views.files import bp as files_bp  # "Files and reports", jobs, downloads

    for blueprint in [fiche_files_bp, files_bp]:
        app.register_blueprint(blueprint)
