"""The observer's workspace under /t/<slug>/observe: a read-only way into a territory for the ARS referent
or a partner institution — published survey releases and the tables they may take, participation, the
synthesis, the action plan, governance and the annual reviews. Nothing on it asks for a coordinator's task."""
from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user

from consult.core.models import utcnow
from consult.extensions import login_manager
from consult.portal import cockpit
from consult.territories import permissions
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("observe", __name__, url_prefix="/t/<slug>/observe"))

# Observers read survey figures from releases only: live response counts stay out of their workspace.
OBSERVER_FIGURES = tuple(key for key in cockpit.FIGURES if key != "responses")


@bp.before_request
def require_observer():
    """Observers, coordinators and admins of the territory; anonymous visitors are sent to log in."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    permissions.require(permissions.can_observe_territory(current_user, g.territory))
    return None


@bp.get("/")
def index():
    """What an observer may read in the territory, and the files they may download."""
    territory = g.territory
    return render_template(
        "observe/index.html", territory=territory,
        surveys=cockpit.published_surveys(cockpit.survey_lines(territory)),
        figures=cockpit.figures(territory, now=utcnow(), keys=OBSERVER_FIGURES),
    )
