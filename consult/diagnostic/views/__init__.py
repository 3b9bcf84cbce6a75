"""The diagnostic package's blueprints, mounted by `register(app)`."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Mount every blueprint of the territory-wide files (one import line per module)."""
    from consult.diagnostic.views.fiche_files import bp as fiche_files_bp  # one fiche as PDF or ODT

    for blueprint in [fiche_files_bp]:
        app.register_blueprint(blueprint)
