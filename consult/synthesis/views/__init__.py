"""The synthesis package's blueprints, mounted by `register(app)`."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Mount every blueprint of the synthesis and the action plan (one import line per module)."""
    from consult.synthesis.views import fiches, plan, synthesis
    from consult.synthesis.views.followup import bp as followup_bp  # steps, indicator values, notes, reviews
    from consult.synthesis.views.governance import bp as governance_bp  # bodies, sessions, decisions
    from consult.synthesis.views.outcomes import bp as outcomes_bp  # what became of the contributions
    from consult.synthesis.views.plan_io import bp as plan_io_bp  # import and copy of action plans

    blueprints = [fiches.bp, plan.bp, governance_bp, followup_bp, synthesis.bp, outcomes_bp, plan_io_bp]
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
