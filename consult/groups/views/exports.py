"""Coordinators' downloads under /t/<slug>/manage/groups/: rosters and attendance as CSV, XLSX or ODS."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g
from flask_login import current_user

from consult.core import audit
from consult.core.models import utcnow
from consult.exports.responses import send_export
from consult.groups import exports
from consult.groups.models import Meeting, WorkingGroup
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("groups_exports", __name__, url_prefix="/t/<slug>/manage/groups"),
                        managers_only=True)

FORMAT = "<any(csv, xlsx, ods):fmt>"


def _audit(target: str, what: str, fmt: str) -> None:
    """The audit trail's line for a file of contact details, written before the file is read from the database."""
    audit.record_read("export", actor=current_user, territory=g.territory, target=target,
                      detail={"file": what, "format": fmt})


def _download(body, name: str, fmt: str, what: str) -> Response:
    """An attachment that no cache keeps; the log says who took what, never the content."""
    current_app.logger.info("groups export territory=%s what=%s format=%s user=%s",
                            g.territory.slug, what, fmt, current_user.id)
    return send_export(body, filename=f"{g.territory.slug}-{name}-{utcnow().date().isoformat()}.{fmt}", fmt=fmt)


@bp.get(f"/<int:group_id>/roster.{FORMAT}")
def roster(group_id: int, fmt: str):
    """A group's roster with contact details, status, waitlist position and availability."""
    group = get_or_404(WorkingGroup, group_id, g.territory)
    _audit(f"group:{group.id}", "roster", fmt)
    body = exports.write(exports.roster_rows(exports.roster_signups(group)), fmt, sheet=group.title)
    return _download(body, f"group-{group.id}-roster", fmt, f"roster group={group.id}")


@bp.get(f"/meetings/<int:meeting_id>/attendance.{FORMAT}")
def meeting_attendance(meeting_id: int, fmt: str):
    """Who came to a meeting or event."""
    meeting = get_or_404(Meeting, meeting_id, g.territory)
    _audit(f"meeting:{meeting.id}", "attendance", fmt)
    body = exports.write(exports.meeting_attendance_rows(exports.meeting_attendances(meeting)), fmt,
                         sheet=meeting.title)
    return _download(body, f"meeting-{meeting.id}-attendance", fmt, f"attendance meeting={meeting.id}")


@bp.get(f"/attendance.{FORMAT}")
def territory_attendance(fmt: str):
    """Every attendance at the territory's meetings and events, one row each."""
    _audit(f"territory:{g.territory.id}", "attendance", fmt)
    body = exports.write(exports.territory_attendance_rows(exports.territory_attendances(g.territory)), fmt,
                         sheet=g.territory.name)
    return _download(body, "attendance", fmt, "attendance territory")
