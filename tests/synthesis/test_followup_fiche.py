"""Follow-up of a fiche: steps and progress, indicator values per year (one per year), dated notes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import FicheStatus, FicheVersion, FollowUpNote, IndicatorValue, Step, StepState
from tests.synthesis.governance_factories import PLAN


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def url(fiche, rest=""):
    return f"{PLAN}/fiches/{fiche.id}/follow-up{rest}"


def test_steps_added_and_done_give_the_progress(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    for title in ("Recruter l'organisme de formation", "Former les formateurs", "Organiser 6 sessions"):
        assert client.post(url(fiche, "/steps"), data={"step-title": title, "step-due_on": "2027-06-30"}
                           ).status_code == 302
    steps = db.session.scalars(select(Step).order_by(Step.position)).all()
    assert [s.title for s in steps] == ["Recruter l'organisme de formation", "Former les formateurs",
                                        "Organiser 6 sessions"]
    assert [s.position for s in steps] == [0, 1, 2] and fiche.progress == 0
    assert count(FicheVersion) == 3  # a step is part of what the fiche says
    response = client.post(url(fiche, f"/steps/{steps[0].id}"),
                           data={f"step-{steps[0].id}-state": "done", f"step-{steps[0].id}-done_on": "2026-02-10"})
    assert response.status_code == 302
    client.post(url(fiche, f"/steps/{steps[1].id}"), data={f"step-{steps[1].id}-state": "in_progress"})
    db.session.expire_all()
    assert [(s.state, s.done_on) for s in fiche.steps] == [(StepState.DONE, dt.date(2026, 2, 10)),
                                                          (StepState.IN_PROGRESS, None), (StepState.TODO, None)]
    assert fiche.progress == 33
    page = client.get(url(fiche)).get_data(as_text=True)
    assert "progress: 33 %" in page and "done on February 10, 2026" in page


def test_a_step_done_without_a_date_is_done_today_and_undoing_forgets_it(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    client.post(url(fiche, "/steps"), data={"step-title": "Former les formateurs"})
    step = db.session.scalar(select(Step))
    client.post(url(fiche, f"/steps/{step.id}"), data={f"step-{step.id}-state": "done"})
    db.session.expire_all()
    assert step.state is StepState.DONE and step.done_on is not None and fiche.progress == 100
    client.post(url(fiche, f"/steps/{step.id}"), data={f"step-{step.id}-state": "todo",
                                                       f"step-{step.id}-done_on": "2026-01-01"})
    db.session.expire_all()
    assert (step.state, step.done_on, fiche.progress) == (StepState.TODO, None, 0)


def test_a_step_added_twice_is_one_step(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    for _ in range(2):
        assert client.post(url(fiche, "/steps"), data={"step-title": "Former les formateurs"}).status_code == 302
    assert count(Step) == 1 and count(FicheVersion) == 1


def test_bad_step_input_is_shown_next_to_the_field(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    response = client.post(url(fiche, "/steps"), data={"step-title": "", "step-due_on": "bientôt"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="step-title-error"' in page and 'value="bientôt"' in page
    assert count(Step) == 0
    client.post(url(fiche, "/steps"), data={"step-title": "Former les formateurs"})
    step = db.session.scalar(select(Step))
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(url(fiche, f"/steps/{step.id}"),
                           data={f"step-{step.id}-state": "done", f"step-{step.id}-done_on": future})
    assert response.status_code == 422 and "cannot be done after today" in response.get_data(as_text=True)
    assert client.post(url(fiche, f"/steps/{step.id}"), data={f"step-{step.id}-state": "finished"}
                       ).status_code == 422
    db.session.expire_all()
    assert step.state is StepState.TODO


def test_a_second_value_for_the_same_year_replaces_the_first(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    indicator = fiche.indicators[0]
    field = f"indicator-{indicator.id}"
    post = lambda year, value: client.post(url(fiche, f"/indicators/{indicator.id}"),  # noqa: E731
                                           data={f"{field}-year": year, f"{field}-value": value,
                                                 f"{field}-note": "Bilan de l'organisme"})
    assert post("2025", "24").status_code == 302
    assert post("2025", "24").status_code == 302  # a double click
    assert post("2026", "41,5").status_code == 302
    assert post("2025", "26").status_code == 302  # corrected
    values = db.session.scalars(select(IndicatorValue).order_by(IndicatorValue.year)).all()
    assert [(v.year, v.value) for v in values] == [(2025, 26.0), (2026, 41.5)]
    page = client.get(url(fiche)).get_data(as_text=True)
    assert "41.5 personnes" in page and "not reached" in page


def test_a_value_reaching_the_target_is_reached(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    indicator = fiche.indicators[0]
    field = f"indicator-{indicator.id}"
    client.post(url(fiche, f"/indicators/{indicator.id}"), data={f"{field}-year": "2026", f"{field}-value": "60"})
    page = client.get(url(fiche)).get_data(as_text=True)
    assert 'verdict-reached">reached' in page


def test_bad_values_are_refused_without_a_500(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    indicator = fiche.indicators[0]
    field = f"indicator-{indicator.id}"
    for year, value in [("2026", "beaucoup"), ("deux mille", "3"), ("2026", "nan"), ("2026", "1e400"),
                        ("99999999999999999999", "3"), ("1850", "3"), (str(dt.date.today().year + 1), "3"),
                        ("2026", "")]:
        response = client.post(url(fiche, f"/indicators/{indicator.id}"),
                               data={f"{field}-year": year, f"{field}-value": value})
        assert response.status_code == 422, (year, value)
    assert count(IndicatorValue) == 0


def test_notes_are_dated_signed_and_recorded_once(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    data = {"note-written_on": "2026-10-05", "note-text": "Point de vigilance : la salle de Moissac n'est plus disponible."}
    assert client.post(url(fiche, "/notes"), data=data).status_code == 302
    assert client.post(url(fiche, "/notes"), data=data).status_code == 302
    note = db.session.scalar(select(FollowUpNote))
    assert count(FollowUpNote) == 1
    assert (note.written_on, note.author_id) == (dt.date(2026, 10, 5), as_coordinator.id)
    page = client.get(url(fiche)).get_data(as_text=True)
    assert "October 5, 2026" in page and as_coordinator.display_name in page


def test_a_note_needs_text_and_a_real_date(client, as_coordinator, make_fiche):
    fiche = make_fiche()
    response = client.post(url(fiche, "/notes"), data={"note-written_on": "2026-13-45", "note-text": "Texte gardé"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the date" in page and "Texte gardé" in page
    assert client.post(url(fiche, "/notes"), data={"note-written_on": "2026-10-05", "note-text": ""}
                       ).status_code == 422
    assert count(FollowUpNote) == 0


def test_the_panel_partial_renders_for_the_fiche_page(app, client, as_coordinator, make_fiche):
    """The fiche page (part « fiches ») includes the panel with `fiche` and `user`."""
    from flask import render_template_string

    fiche = make_fiche()
    client.post(url(fiche, "/notes"), data={"note-written_on": "2026-10-05", "note-text": "Première session tenue."})
    with app.test_request_context():
        html = render_template_string('{% include "synthesis/followup/_fiche_panel.html" %}', fiche=fiche,
                                      user=as_coordinator)
    assert "Première session tenue." in html and "Nombre de personnes formées" in html
    assert f"{PLAN}/fiches/{fiche.id}/follow-up" in html and "Update the follow-up" in html


def test_the_panel_names_nobody_and_shows_no_notes_to_the_public(app, client, as_coordinator, make_fiche):
    """On the public page of a published fiche, the panel says which body decided, not who recorded a change."""
    from flask import render_template_string
    from flask_login import AnonymousUserMixin

    fiche = make_fiche(status=FicheStatus.COPIL_VALIDATED, published=True)
    client.post(url(fiche, "/status"), data={"status-status": "in_progress", "status-decided_on": "2026-04-01"})
    client.post(url(fiche, "/notes"), data={"note-written_on": "2026-10-05", "note-text": "Salle indisponible."})
    with app.test_request_context():
        html = render_template_string('{% include "synthesis/followup/_fiche_panel.html" %}', fiche=fiche,
                                      user=AnonymousUserMixin())
    assert "In progress" in html and "April 1, 2026" in html
    assert as_coordinator.display_name not in html and "Salle indisponible." not in html
    assert "/follow-up" not in html
