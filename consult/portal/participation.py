"""A person's participation across the capabilities, under /account/participation."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from consult.core.forms import Form
from consult.core.models import utcnow
from consult.groups.services import participation as groups_participation
from consult.groups.services.calendar import feed_of
from consult.proposals.services import participation_of as proposal_participation_of

bp = Blueprint("participation", __name__, url_prefix="/account")


@bp.get("/participation")
@login_required
def index():
    """Everything the person takes part in: groups (and waitlist places), meetings, events, proposals."""
    return render_template("accounts/participation.html",
                           groups=groups_participation.participation_of(current_user, now=utcnow()),
                           calendar_feed=feed_of(current_user), calendar_form=Form(),
                           proposal_participation=proposal_participation_of(current_user))
