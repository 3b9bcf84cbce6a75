"""The coordinator's cockpit at /t/<slug>/manage/: what waits (one of each), the figures per month, a way
into every capability (each link answers), the staff links of the header and the territory menu."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from consult.extensions import db
from consult.portal import cockpit
from consult.proposals.models import ProposalState, Support
from consult.synthesis.models import Fiche
from tests.conftest import NOW, ROLES
from tests.groups.factories import add_attendance, make_meeting
from tests.rendering import RenderGuard
from tests.synthesis.outcomes_factories import make_call, make_idea, make_proposal
from tests.territories.workspace_fixtures import busy, english, main_links, make_fiche, text_of  # noqa: F401

URL = "/t/terres-des-confluences/manage/"


def todo(page: str, count: int, label: str, href: str | None = None) -> bool:
    """Whether the cockpit's list shows `count` then `label` (a link to `href` when given)."""
    link = rf'<a href="{re.escape(href)}">{re.escape(label)}</a>' if href else rf"<(?:span|a [^>]*)>{re.escape(label)}<"
    return re.search(rf'<span class="todo-count">{count}</span>\s*{link}', page) is not None


def test_what_waits_is_counted_one_of_each_and_links_where_it_is_done(as_role, busy):
    page = as_role("coordinator").get(URL).get_data(as_text=True)
    base = "/t/terres-des-confluences/manage"
    assert todo(page, 1, "proposal to moderate", f"{base}/proposals/")
    assert todo(page, 1, "report to handle", f"{base}/proposals/")
    assert todo(page, 1, "sign-up request awaiting your decision", f"{base}/groups/")
    assert todo(page, 1, "past meeting without attendance", f"{base}/meetings/")
    assert todo(page, 1, "past meeting without published minutes", f"{base}/meetings/")
    assert todo(page, 1, "survey closing within 14 days", f"{base}/surveys/")
    assert todo(page, 1, "survey with enough new responses for a new release", f"{base}/surveys/")
    assert todo(page, 1, "fiche action awaiting a decision (draft or validated by its working group)")
    assert f'href="{base}/meetings/{busy.bare_meeting.id}/attendance"' in page
    assert f'href="{base}/meetings/{busy.bare_meeting.id}/minutes"' in page
    assert f'href="{base}/meetings/{busy.done_meeting.id}/minutes"' not in page
    assert f'href="{base}/surveys/{busy.closing.id}/"' in page
    assert f'href="{base}/surveys/{busy.due.id}/results"' in page
    assert "Enquête des aidants</a>, closes" not in page


def test_the_waiting_service_matches_the_release_rules(app, busy, territory):
    from consult.core.models import utcnow
    from consult.surveys.releases.services import responses_needed

    lines = cockpit.survey_lines(territory)
    for line in lines:
        assert line.needed == responses_needed(line.survey, line.responses)
    waiting = cockpit.waiting(territory, lines, now=utcnow())
    assert [line.survey.id for line in waiting.release_due] == [busy.due.id]
    assert waiting.release_due[0].new_responses == 2
    assert waiting.total == 8


def test_nothing_waiting_says_so(as_role, territory):
    page = text_of(as_role("coordinator").get(URL))
    assert "Nothing waits for you." in page
    assert "0 proposals to moderate" in page


def test_figures_are_counted_per_month_over_twelve_months(app, territory, make_user, make_fiche):
    author = make_user()
    call = make_call(territory)
    this_month, last_month, too_old = NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=400)
    for when, title in ((this_month, "Une navette"), (this_month, "Un cabinet"), (last_month, "Un atelier"),
                        (too_old, "Une vieille idée")):
        proposal = make_proposal(call, author, title=title)
        proposal.submitted_at = when
    db.session.add(Support(proposal=proposal, user=author, created_at=this_month))
    meeting = make_meeting(territory, starts_at=last_month)
    add_attendance(meeting, author)
    add_attendance(meeting, name="Invitée sans compte")
    make_meeting(territory, title="Pas encore tenue", starts_at=NOW + dt.timedelta(days=1))
    fiche = make_fiche()
    fiche.created_at = this_month
    db.session.commit()

    figures = cockpit.figures(territory, now=NOW)
    assert figures.months[0] == dt.date(2025, 12, 1) and figures.months[-1] == dt.date(2026, 11, 1)
    rows = dict(figures.rows)
    assert rows[dt.date(2026, 11, 1)]["proposals"] == 2 and rows[dt.date(2026, 10, 1)]["proposals"] == 1
    assert figures.total("proposals") == 3  # the one from 400 days ago is out of the window
    assert rows[dt.date(2026, 11, 1)]["supports"] == 1
    assert (rows[dt.date(2026, 10, 1)]["meetings"], rows[dt.date(2026, 10, 1)]["attendances"]) == (1, 2)
    assert figures.total("meetings") == 1
    assert rows[dt.date(2026, 11, 1)]["fiches"] == 1
    assert figures.total("responses") == figures.total("ideas") == figures.total("signups") == 0


def test_the_figures_table_has_a_row_per_month_and_headers(as_role, territory, make_user):
    from consult.core.models import utcnow

    proposal = make_proposal(make_call(territory), make_user())
    proposal.submitted_at = utcnow()
    db.session.commit()
    page = as_role("coordinator").get(URL).get_data(as_text=True)
    table = page[page.index('<table class="figures-table">'):]
    table = table[:table.index("</table>")]
    assert table.count('<th scope="row">') == 13  # twelve months and the total
    assert '<th scope="col" class="num">Proposals</th>' in table
    assert re.search(r'<th scope="row">Total</th>\s*<td class="num">0</td>\s*<td class="num">1</td>', table)


def test_every_link_of_the_cockpit_answers_for_a_coordinator(as_role, busy, territory, make_fiche):
    make_idea(territory)
    client = as_role("coordinator")
    links = main_links(client.get(URL).get_data(as_text=True))
    assert len(links) > 30
    answers = {link: client.get(link).status_code for link in links}
    assert {link: status for link, status in answers.items() if status != 200} == {}


def test_the_cockpit_runs_no_query_while_rendering(app, as_role, busy):
    client = as_role("coordinator")
    with RenderGuard(app) as guard:
        assert client.get(URL).status_code == 200
        assert guard.while_rendering == []
        queries = guard.count
    make_proposal(make_call(busy.pending.call.territory), busy.pending.author, title="Encore une",
                  state=ProposalState.PENDING)
    with RenderGuard(app) as guard:
        client.get(URL)
        assert guard.count == queries  # not one query per row


def test_the_territory_settings_stay_on_the_cockpit(as_role, territory):
    page = text_of(as_role("coordinator").get(URL))
    settings = page[page.index("Territory settings Edit the territory"):]
    for part in ("Contracts", "CLS 2 Terres des Confluences 2023-2027", "New contract", "Communes", "Team",
                 "Coordinators and observers"):
        assert part in settings


EXPECTED = {"anonymous": 302, "participant": 403, "observer": 403, "other_coordinator": 403, "coordinator": 200,
            "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_and_admins_open_the_cockpit(as_role, role, territory):
    response = as_role(role).get(URL)
    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert "/account/login" in response.headers["Location"]


def test_the_header_links_each_role_to_its_workspace(as_role, make_user, territory, other_territory, login, client):
    from consult.accounts.models import Role, TerritoryRole

    coordinator_page = as_role("coordinator").get("/legal").get_data(as_text=True)
    assert f'href="{URL}">Manage Terres des Confluences</a>' in coordinator_page
    observer_page = as_role("observer").get("/legal").get_data(as_text=True)
    assert 'href="/t/terres-des-confluences/observe/">Follow Terres des Confluences</a>' in observer_page
    assert "Manage Terres des Confluences" not in observer_page
    both = make_user()
    db.session.add_all([TerritoryRole(user=both, territory=territory, role=Role.OBSERVER),
                        TerritoryRole(user=both, territory=other_territory, role=Role.COORDINATOR)])
    db.session.commit()
    login(both)
    page = client.get("/legal").get_data(as_text=True)
    assert "Manage Ouest Aveyron Communauté" in page and "Follow Terres des Confluences" in page
    for role in ("anonymous", "participant", "admin"):
        page = as_role(role).get("/legal").get_data(as_text=True)
        assert "Manage Terres" not in page and "Follow Terres" not in page


def test_the_territory_menu_leads_staff_to_their_workspace(as_role, territory):
    home = "/t/terres-des-confluences/"
    assert f'href="{URL}">Manage</a>' in as_role("coordinator").get(home).get_data(as_text=True)
    observer = as_role("observer").get(home).get_data(as_text=True)
    assert 'href="/t/terres-des-confluences/observe/">Follow</a>' in observer and f'href="{URL}"' not in observer
    participant = as_role("participant").get(home).get_data(as_text=True)
    assert "/observe/" not in participant and f'href="{URL}"' not in participant


def test_fiches_of_another_territory_are_not_counted(as_role, make_fiche, other_territory):
    contract = other_territory.current_contract
    db.session.add(Fiche(contract=contract, axis=contract.active_axes[0], rank=1, title="Fiche d'ailleurs"))
    db.session.commit()
    page = as_role("coordinator").get(URL).get_data(as_text=True)
    assert todo(page, 0, "fiches actions awaiting a decision (draft or validated by their working group)")
