"""Linking survey questions to axes and objectives: the page, the services' rules, bad input."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import QuestionLink
from tests.synthesis.world import BASE, text_of, world  # noqa: F401


def links() -> list[tuple[int, int, int | None]]:
    db.session.expire_all()
    return sorted(db.session.execute(select(QuestionLink.question_id, QuestionLink.axis_id,
                                            QuestionLink.objective_id)).tuples())


def test_questions_page_lists_every_question_with_its_links(world, as_role):
    page = as_role("coordinator").get(f"{BASE}/surveys/{world.survey.id}/links")
    assert page.status_code == 200
    text = text_of(page)
    assert "Q1 Avez-vous renoncé à des soins depuis un an ?" in text
    assert "Axis 1 — Favoriser la mise en relation des acteurs (élus, professionnels…) · Accueillir les nouveaux praticiens de santé" in text
    assert "Q2 Qu'est-ce qui améliorerait votre santé ici ?" in text and "Not linked" in text
    assert 'for="target-%d"' % world.q2.id in page.get_data(as_text=True)


def test_coordinator_links_a_question_to_an_objective_then_the_axis_page_shows_it(world, as_role):
    client = as_role("coordinator")
    response = client.post(f"{BASE}/surveys/{world.survey.id}/links",
                           data={"question": world.q1.id, "target": f"axis:{world.axis2.id}"})
    assert response.status_code == 302
    assert (world.q1.id, world.axis2.id, None) in links()
    assert "Avez-vous renoncé" in text_of(client.get(f"{BASE}/axes/{world.axis2.id}"))


def test_linking_again_changes_only_the_objective_and_never_duplicates(world, as_role):
    client = as_role("coordinator")
    url = f"{BASE}/surveys/{world.survey.id}/links"
    for _twice in range(2):
        client.post(url, data={"question": world.q1.id, "target": f"objective:{world.objective2.id}"})
    assert links() == [(world.q1.id, world.axis.id, world.objective2.id)]


def test_unlink_removes_the_link(world, as_role):
    client = as_role("coordinator")
    response = client.post(f"{BASE}/surveys/{world.survey.id}/links/{world.link.id}/delete")
    assert response.status_code == 302
    assert links() == []
    assert "No survey question is linked to it yet." in text_of(client.get(f"{BASE}/axes/{world.axis.id}"))


def test_bad_targets_are_refused_next_to_the_field_and_nothing_is_stored(world, as_role, other_territory):
    client = as_role("coordinator")
    url = f"{BASE}/surveys/{world.survey.id}/links"
    other_axis = other_territory.current_contract.axes[0]
    for target in (f"axis:{other_axis.id}", f"objective:{other_axis.objectives[0].id}", "axis:999999",
                   f"axis:{10**30}", "objective:abc", "", "axis:-1"):
        response = client.post(url, data={"question": world.q2.id, "target": target})
        assert response.status_code == 422, target
        assert "Choose an axis or an objective of the current contract." in text_of(response)
        assert f'id="target-{world.q2.id}-error"' in response.get_data(as_text=True)
    assert links() == [(world.q1.id, world.axis.id, world.objective1.id)]


def test_questions_of_another_survey_or_unknown_are_refused(world, as_role, make_territory, other_territory):
    from tests.synthesis.world import build_survey

    foreign = build_survey(other_territory)
    client = as_role("coordinator")
    for question in (foreign.questions[0].id, 999999, 10**30, "Q1", ""):
        response = client.post(f"{BASE}/surveys/{world.survey.id}/links",
                               data={"question": question, "target": f"axis:{world.axis.id}"})
        assert response.status_code == 422, question
    assert client.get(f"{BASE}/surveys/{foreign.id}/links").status_code == 404
    assert client.post(f"{BASE}/surveys/{foreign.id}/links",
                       data={"question": foreign.questions[0].id, "target": f"axis:{world.axis.id}"}).status_code == 404
    assert client.get(f"{BASE}/surveys/{10**30}/links").status_code == 404
    assert links() == [(world.q1.id, world.axis.id, world.objective1.id)]


def test_unlinking_an_unknown_or_foreign_link_stores_nothing(world, as_role, other_territory):
    from tests.synthesis.world import build_survey

    foreign = build_survey(other_territory)
    link = QuestionLink(question=foreign.questions[0], axis=other_territory.current_contract.axes[0])
    db.session.add(link)
    db.session.commit()
    client = as_role("coordinator")
    for ident in (link.id, 999999, 10**30):
        response = client.post(f"{BASE}/surveys/{world.survey.id}/links/{ident}/delete")
        assert response.status_code in (302, 404), ident
    assert db.session.scalar(select(func.count(QuestionLink.id))) == 2
