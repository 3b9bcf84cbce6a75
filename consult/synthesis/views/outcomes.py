"""« Ce que sont devenues vos contributions »: the public page per territory, and the `fiches_citing` template
global through which the capabilities' pages (a proposal, a meeting's ideas) show the fiche that took a
contribution up without importing the synthesis."""
from __future__ import annotations

from flask import Blueprint, Flask, g, has_request_context, render_template, request
from flask_login import current_user

from consult.core.pagecache import kept_for_visitors
from consult.synthesis import outcomes
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("outcomes", __name__, url_prefix="/t/<slug>"))

# Pages whose templates call `fiches_citing`: their citations are loaded (one query) before the template
# renders, so that no statement runs while it renders.
CITING_PAGES = frozenset({"proposals.detail", "proposals_manage.proposal", "meetings.detail",
                          "meetings_manage.ideas", "meetings_manage.minutes_page", "synthesis.axis",
                          "synthesis.objective", "synthesis.texts"})


@bp.get("/outcomes")
@kept_for_visitors
def index():
    """What became of the territory's contributions: per channel, per axis, the published fiches they fed."""
    return render_template("synthesis/outcomes/index.html", territory=g.territory,
                           outcomes=outcomes.outcomes_of(g.territory))


def _citing() -> dict:
    """This request's map of cited sources (loaded once, for the territory of the page)."""
    found = g.get("_fiches_citing")
    if found is None:
        territory = g.get("territory")
        found = outcomes.citing_map(territory, current_user) if territory is not None else {}
        g._fiches_citing = found
    return found


def fiches_citing(kind: str, ident: int) -> list:
    """The fiches citing a source of the page's territory: `kind` is "proposal", "idea" or "tagged_text".
    Published fiches for everyone; every fiche for those who read the plan."""
    if not has_request_context():
        return []
    return _citing().get((str(kind), ident), [])


def _preload() -> dict:
    """Load the citations before a citing page renders (a context processor runs before the render starts)."""
    if has_request_context() and request.endpoint in CITING_PAGES and "territory" in g:
        _citing()
    return {}


@bp.record_once
def _register_helpers(state) -> None:
    app: Flask = state.app
    app.jinja_env.globals["fiches_citing"] = fiches_citing
    app.context_processor(_preload)
