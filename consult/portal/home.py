"""Site-wide pages: home, language switch, legal pages, health check."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from consult.core.pagecache import kept_for_visitors
from consult.core.urls import is_safe_next
from consult.extensions import db
from consult.i18n import LANGUAGE_COOKIE
from consult.territories.services import list_territories

bp = Blueprint("core", __name__)


@bp.get("/")
@kept_for_visitors
def home():
    """The territories hosted on this instance."""
    return render_template("core/home.html", territories=list_territories())


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise (for load balancers and monitoring)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any database failure means "not healthy"
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/language/<code>")
def set_language(code: str):
    """Switch the interface language and remember it in a cookie for a year."""
    target = request.args.get("next")
    response = redirect(target if is_safe_next(target) else url_for("core.home"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=60 * 60 * 24 * 365, samesite="Lax",
                            httponly=True, secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.get("/privacy")
def privacy():
    """Privacy notice (RGPD)."""
    return render_template("core/privacy.html", territories=list_territories())


@bp.get("/legal")
def legal():
    """Legal notice (mentions légales)."""
    return render_template("core/legal.html")


@bp.get("/accessibility")
def accessibility():
    """Accessibility statement (RGAA)."""
    return render_template("core/accessibility.html")


@bp.app_context_processor
def inject_user():
    return {"user": current_user}
