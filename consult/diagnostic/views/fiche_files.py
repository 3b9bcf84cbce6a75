"""One fiche action as a file, under /t/<slug>/plan/fiches/<id>/file.<pdf|odt>: a published fiche for anyone
(the public fiche page links to it), a draft for those who read the plan (observers, coordinators, admins: the
coordinators' fiche page links to it); everyone else gets a 404, as for the fiche's pages."""
from __future__ import annotations

from flask import Blueprint, abort, g
from flask_login import current_user

from consult.core import audit
from consult.diagnostic.reports import FORMATS, fiche_file
from consult.exports.responses import send_export
from consult.synthesis.fiches import pages
from consult.synthesis.models import Fiche
from consult.synthesis.permissions import can_read_plan, can_see_fiche
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("fiche_files", __name__, url_prefix="/t/<slug>/plan/fiches"))


@bp.get(f"/<int:fiche_id>/file.<any({', '.join(FORMATS)}):fmt>")
def download(fiche_id: int, fmt: str):
    """The fiche as a tagged PDF or an ODT to edit."""
    if can_read_plan(current_user, g.territory):
        item = get_or_404(Fiche, fiche_id, g.territory, options=pages.document_options())
    else:  # a draft does not exist for those who may not read it: found (and loaded) only when published
        item = pages.published_fiche(g.territory, fiche_id, options=pages.document_options())
    if item is None or not can_see_fiche(current_user, item):
        abort(404)
    if not item.is_published:  # a published fiche is public: only a draft's download is the staff's to trace
        audit.record_read("export", actor=current_user, territory=g.territory, target=f"fiche:{item.id}",
                          detail={"file": "fiche", "format": fmt})
    return send_export(fiche_file(item, fmt), filename=f"fiche-action-{item.number}.{fmt}", fmt=fmt,
                       private=not item.is_published)
