"""The synthesis package's blueprints, mounted by `register(app)`."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Mount every blueprint of the synthesis and the action plan (one import line per module)."""
    from consult.synthesis.views.plan_io import bp as plan_io_bp

    blueprints = [plan_io_bp]
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
