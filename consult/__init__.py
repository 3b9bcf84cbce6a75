"""Consult: a participation platform for French Contrats Locaux de Santé."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent


class Consult(Flask):
    """Flask, with the public pages kept for visitors given before any other work of the request."""

    def preprocess_request(self):
        from consult.core.pagecache import kept_page

        kept = kept_page()
        return kept if kept is not None else super().preprocess_request()


def create_app(config: Config | str | None = None) -> Flask:
    """Build the application; `config` is a Config instance or a name (development, testing, production)."""
    app = Consult(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    settings = config if isinstance(config, Config) else load_config(config)
    app.config.from_object(settings)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_extensions(app)
    from consult.core.cookies import init_cookies

    init_cookies(app)  # the session's serializer built once, a POST's checked CSRF token reused by its forms
    from consult.core.db import BoundedIntegerConverter, BoundedRequest

    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    app.request_class = BoundedRequest  # `request.args.get(…, type=int)` beyond the database's integers: unreadable
    register_blueprints(app)
    register_personal_data()
    register_template_helpers(app)
    register_errorhandlers(app)
    from consult.core.headers import init_headers

    init_headers(app)  # CSP with a nonce, no framing, no-store… on every response, errors included
    from consult.core.layout import init_layout

    init_layout(app)  # the layout's pieces that are the same for every request in a language, rendered once
    from consult.core.templates import init_template_cache

    init_template_cache(app)  # compiled templates read from disk rather than compiled by each worker
    register_commands(app)
    from consult.core.pagecache import init_page_cache

    init_page_cache(app)  # last: its after_request sees the view's response before the headers above are added
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions and the database session rules."""
    import consult.models  # noqa: F401  (every table in the metadata)
    from consult.core.db import init_db_rules
    from consult.extensions import babel, csrf, db, login_manager, migrate
    from consult.i18n import install_template_gettext, read_locale_data_alone, select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)  # the catalogue found once per request, not on each of a page's ~60 strings
    read_locale_data_alone(app.config["LANGUAGES"])  # numbers and dates without Babel's 2.5 MB of global data
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = None  # server-side sessions (LoginSession) do the job
    from consult.accounts.views import configure_login

    configure_login(login_manager)
    init_db_rules(app)
    from consult.core.mail import install_after_commit
    install_after_commit()  # mails sent with send_after_commit leave only once their transaction is stored
    from consult.diagnostic.jobs import init_jobs
    init_jobs(app)  # the task queue (Huey): SQLite file, Redis when REDIS_URL is set, in-process when immediate


def register_blueprints(app: Flask) -> None:
    """Mount every capability's blueprint."""
    from consult.accounts.views import bp as accounts_bp
    from consult.groups.views.manage import bp as groups_manage_bp
    from consult.groups.views.public import bp as groups_bp
    from consult.surveys.views.exports import bp as survey_exports_bp
    from consult.surveys.views.manage import bp as survey_manage_bp
    from consult.surveys.views.public import bp as surveys_bp
    from consult.surveys.views.results import bp as survey_results_bp, public_bp as survey_public_results_bp
    from consult.portal.home import bp as core_bp
    from consult.portal.manage import bp as manage_bp
    from consult.portal.observe import bp as observe_bp
    from consult.portal.participation import bp as participation_bp
    from consult.portal.territory import bp as territories_bp
    from consult.territories.views.admin import bp as admin_bp

    for blueprint in (core_bp, accounts_bp, territories_bp, manage_bp, admin_bp, survey_manage_bp, survey_exports_bp,
                      surveys_bp, survey_results_bp, survey_public_results_bp, groups_bp, groups_manage_bp, participation_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(observe_bp)  # the observers' workspace
    from consult.portal.audit import admin_bp as admin_audit_bp, bp as audit_bp
    app.register_blueprint(audit_bp)  # the audit trail: a territory's (coordinators), every territory's (admins)
    app.register_blueprint(admin_audit_bp)
    from consult.proposals.views.manage import bp as proposals_manage_bp
    from consult.proposals.views.public import bp as proposals_bp
    for blueprint in (proposals_bp, proposals_manage_bp):  # calls, proposals, supports, moderation, votes
        app.register_blueprint(blueprint)
    from consult.groups.views import meetings as meeting_views, meetings_manage as meeting_manage_views
    for blueprint in (meeting_views.bp, meeting_manage_views.bp):  # meetings, events, attendance, minutes
        app.register_blueprint(blueprint)
    from consult.groups.views.calendar import bp as calendar_bp
    from consult.groups.views.exports import bp as groups_exports_bp

    app.register_blueprint(calendar_bp)
    app.register_blueprint(groups_exports_bp)
    from consult.synthesis.views import register as register_synthesis
    register_synthesis(app)  # synthesis per axis, fiches actions, governance, follow-up
    from consult.diagnostic.views import register as register_diagnostic
    register_diagnostic(app)  # territory-wide files: "Files and reports", jobs, downloads, per-fiche files
    from consult.api.views import register as register_api
    register_api(app)  # the open-data API under /api/v1 and the "Open data" page


def register_personal_data() -> None:
    """What each capability holds about a person ("My data") and lets go of when an account is erased."""
    import consult.accounts.erasure  # noqa: F401  (the inactive accounts' purge)
    import consult.groups.rights  # noqa: F401
    import consult.proposals.rights  # noqa: F401
    import consult.surveys.rights  # noqa: F401


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates share."""
    from flask_babel import format_date

    from consult.core.retention import stated
    from consult.core.text import render_markdown
    from consult.i18n import LANGUAGE_NAMES, format_clock, format_moment, format_number
    from consult.proposals.permissions import can_report, can_see_comment
    from consult.surveys.permissions import needs_account
    from consult.territories import permissions
    from consult.territories.views import territory_nav

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["date"] = lambda value, fmt="long": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = format_moment  # « jeudi 12 novembre 2026 à 15 h 00 »; 'short' for staff tables
    app.jinja_env.filters["time"] = format_clock  # « 15 h 00 »
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals.update(
        can_appoint=permissions.can_appoint,
        can_manage_territory=permissions.can_manage_territory,
        can_observe_territory=permissions.can_observe_territory,
        can_report=can_report,
        has_endpoint=lambda endpoint: endpoint in app.view_functions,
        can_see_comment=can_see_comment,
        is_admin=permissions.is_admin,
        needs_account=needs_account,
        retention_period=stated,  # a period of config.py in words: the only way a page states one
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        territory_nav=territory_nav,  # the territory's menu, rendered once per process and variant
    )

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale())}


def register_errorhandlers(app: Flask) -> None:
    from consult.core.faults import register as register_faults
    from consult.errors import register_errorhandlers as register

    register(app)
    register_faults(app)  # a held lock, a full disk, a lost connection: 503 keeping what was sent


def register_commands(app: Flask) -> None:
    """CLI: create-admin, seed-demo, territory import-communes."""
    from consult.accounts.cli import create_admin_command
    from consult.demo import seed_demo_command
    from consult.surveys.cli import surveys_cli
    from consult.territories.cli import territory_cli

    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(territory_cli)
    app.cli.add_command(surveys_cli)
    from consult.groups.cli import send_reminders_command

    app.cli.add_command(send_reminders_command)
    from consult.synthesis.plan_io.cli import plan_cli

    app.cli.add_command(plan_cli)
    from consult.diagnostic.cli import export_cli, worker_command

    app.cli.add_command(export_cli)  # export diagnostic|action-plan|purge
    app.cli.add_command(worker_command)  # the background worker (Huey consumer)
    from consult.maintenance import purge_command

    app.cli.add_command(purge_command)  # `purge`: what is past its retention period (daily, from cron)
    from consult.volume.cli import seed_volume_command

    app.cli.add_command(seed_volume_command)  # `seed-volume`: bulk data for benchmarks (consult/volume)
    from consult.core.templates import compile_templates_command

    app.cli.add_command(compile_templates_command)  # `compile-templates`: at each deployment
    from consult.core.backup import backup_command, restore_command

    for command in (backup_command, restore_command):  # backup PATH, restore PATH (the whole database)
        app.cli.add_command(command)
