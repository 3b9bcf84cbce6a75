"""The audit trail's pages: a territory's under /t/<slug>/manage/audit (its coordinators and site admins, never
observers) and every territory's under /admin/audit (site admins)."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import Optional, Regexp

from consult.core.forms import Form, choices
from consult.extensions import login_manager
from consult.portal import audit_trail
from consult.territories.permissions import can_read_audit, require
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("audit", __name__, url_prefix="/t/<slug>/manage/audit"))
admin_bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")
MONTH_MESSAGE = _l("Write the month as year-month, for example 2026-11.")


class AuditFilterForm(Form):
    """Which events to show (a GET form: no token)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    person = SelectField(_l("Person"), validate_choice=False)
    month = StringField(_l("Month"), description=_l("For example 2026-11 for November 2026."),
                        validators=[Optional(), Regexp(audit_trail.MONTH.pattern, message=MONTH_MESSAGE)],
                        render_kw={"type": "month", "inputmode": "numeric"})


def _require_reader(territory=None):
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(can_read_audit(current_user, territory))
    return None


@bp.before_request
def require_territory_reader():
    return _require_reader(g.territory)


@admin_bp.before_request
def require_site_reader():
    return _require_reader()


def _trail(territory, template: str, endpoint: str):
    """The filter form and a page of events; a filter that means nothing is ignored (the month's error is shown)."""
    form = AuditFilterForm(request.args)
    form.validate()
    filters = audit_trail.read_filters({**request.args.to_dict(), "month": "" if form.month.errors else
                                        (form.month.data or "")})
    found = audit_trail.audit_page(territory, filters)
    form.action.choices = choices([("", _("Every action"))] + found.actions)
    form.person.choices = choices([("", _("Every person"))] + [(str(i), name) for i, name in found.people])
    args = {key: value for key, value in (("action", filters.action), ("person", filters.actor_id),
                                          ("month", filters.month)) if value}
    return render_template(template, territory=territory, form=form, found=found, args=args, endpoint=endpoint)


@bp.get("/")
def territory_trail():
    """Who read answers or contact details, exported, moderated, changed a role or a threshold in the territory."""
    return _trail(g.territory, "manage/audit.html", "audit.territory_trail")


@admin_bp.get("/")
def site_trail():
    """The same for every territory, and what was done outside any territory (site administrators, purges)."""
    return _trail(None, "admin/audit.html", "admin_audit.site_trail")
