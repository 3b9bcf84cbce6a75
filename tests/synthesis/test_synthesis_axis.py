"""The axis and objective pages and the index against the hand-computed world (tests/synthesis/world.py)."""
from __future__ import annotations

from consult.synthesis.models import TextSource
from tests.synthesis.world import BASE, FREE_TEXT, OTHER_FREE_TEXT, row, table, text_of, world  # noqa: F401


def test_axis_page_shows_figures_from_the_latest_release_with_survey_release_and_n(world, as_role):
    page = as_role("coordinator").get(f"{BASE}/axes/{world.axis.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Votre santé à Terres des Confluences" in text
    assert "Release no. 1 of November 1, 2026 · n = 25 answered this question" in text
    # the question's distribution, rendered by the results macros, from the release: 14 yes, 11 no
    assert row(page, "Avez-vous renoncé", "Oui")[:2] == ["14", "56 %"]
    assert row(page, "Avez-vous renoncé", "Non")[:2] == ["11", "44 %"]


def test_a_response_after_the_release_changes_nothing_on_the_axis_page(world, as_role):
    # The world added a 26th response (a web « Oui ») after release no. 1: live figures would read 15 and 26.
    page = as_role("observer").get(f"{BASE}/axes/{world.axis.id}")
    assert row(page, "Avez-vous renoncé", "Oui")[0] == "14"
    assert "n = 25" in text_of(page) and "n = 26" not in text_of(page)


def test_axis_page_lists_published_proposals_with_supports_state_and_answer(world, as_role):
    page = as_role("observer").get(f"{BASE}/axes/{world.axis.id}")
    assert row(page, "Published proposals", "Un bus vers l'hôpital de Moissac le samedi") == [
        "3", "Published", "No answer yet"]
    assert row(page, "Published proposals", "Une permanence de PMI à Saint-Nicolas") == [
        "1", "Published", "Retained Reprise dans la fiche 1.2."]
    assert "Un brouillon jamais publié" not in text_of(page)


def test_axis_page_counts_contributions_and_people_apart(world, as_role):
    page = as_role("observer").get(f"{BASE}/axes/{world.axis.id}")
    text = text_of(page)
    assert "Proposals 2 Supports 4 Ideas from meetings and events 1 Attendances 3" in text
    people = "People by category"
    assert row(page, people, "Members of the axis")[0] == "2"
    assert row(page, people, "Present at its working-group meetings")[0] == "3"
    assert row(page, people, "Authors of its proposals")[0] == "2"
    # four supports, three supporters: Sam supported both proposals
    assert row(page, people, "Supporters of its proposals")[0] == "3"
    header = table(page, people)[0]
    assert header[:2] == ["Channel", "People"] and "Resident" in header
    resident = header.index("Resident") - 1
    assert row(page, people, "Supporters of its proposals")[resident] == "2"   # Sam and Sophie; Serge is an association
    communes = "People by commune"
    assert row(page, communes, "Moissac") == ["1", "1", "1", "1"]               # Alice (member, present, author), Sam
    assert row(page, communes, "Fajolles") == ["1", "1", "0", "0"]
    assert row(page, communes, "Not stated") == ["0", "0", "0", "1"]           # Serge
    assert "25 respondents answered “Avez-vous renoncé à des soins depuis un an ?”" in text
    assert "never matched with accounts" in text


def test_axis_page_lists_ideas_with_their_meeting(world, as_role):
    text = text_of(as_role("observer").get(f"{BASE}/axes/{world.axis.id}"))
    assert "Créer un annuaire des professionnels de santé — Première réunion du groupe , October 5, 2026 (Accès aux soins)" in text
    assert "Un atelier cuisine" not in text      # axis 2's idea


def test_coordinators_read_tagged_survey_answers_and_observers_never(world, as_role):
    url = f"{BASE}/axes/{world.axis.id}"
    coordinator = text_of(as_role("coordinator").get(url))
    assert FREE_TEXT in coordinator
    assert "Le samedi matin serait idéal." in coordinator
    assert "Le groupe propose un annuaire des professionnels." in coordinator
    observer = text_of(as_role("observer").get(url))
    assert FREE_TEXT not in observer and OTHER_FREE_TEXT not in observer
    assert "Le samedi matin serait idéal." in observer                     # comments and minutes are for observers too
    assert "Le groupe propose un annuaire des professionnels." in observer
    assert "Un commentaire masqué" not in coordinator


def test_objective_page_keeps_only_what_is_tied_to_the_objective(world, as_role):
    client = as_role("observer")
    first = client.get(f"{BASE}/objectives/{world.objective1.id}")
    assert first.status_code == 200
    text = text_of(first)
    assert "Objective 1.1 — Accueillir les nouveaux praticiens de santé" in text
    assert row(first, "Avez-vous renoncé", "Oui")[0] == "14"             # Q1 is linked to objective 1.1
    assert "Un bus vers l'hôpital de Moissac le samedi" in text
    assert "Une permanence de PMI" not in text                              # proposal B has no objective
    assert "Créer un annuaire" not in text
    second = text_of(client.get(f"{BASE}/objectives/{world.objective2.id}"))
    assert "Créer un annuaire des professionnels de santé" in second
    assert "Le groupe propose un annuaire des professionnels." in second   # the minutes excerpt tagged with 1.2
    assert "No survey question is linked to it yet." in second
    assert "Accès aux soins" in second                                      # the group works on objective 1.2


def test_a_linked_question_without_release_says_so(world, as_role, territory):
    from consult.extensions import db
    from consult.synthesis.models import QuestionLink
    from tests.synthesis.world import build_survey

    other = build_survey(territory)
    db.session.add(QuestionLink(question=other.questions[0], axis=world.axis2))
    db.session.commit()
    text = text_of(as_role("observer").get(f"{BASE}/axes/{world.axis2.id}"))
    assert "This survey has no release yet" in text
    assert "Oui" not in text


def test_two_surveys_with_the_same_question_code_keep_distinct_ids(world, as_role, territory):
    import re

    from consult.extensions import db
    from consult.synthesis.models import QuestionLink
    from tests.surveys.releasing import release
    from tests.synthesis.world import build_survey, when

    other = build_survey(territory)
    release(other, now=when(11, 2))
    db.session.add(QuestionLink(question=other.questions[0], axis=world.axis))
    db.session.commit()
    body = as_role("observer").get(f"{BASE}/axes/{world.axis.id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert body.count("Avez-vous renoncé à des soins depuis un an ?</h3>") == 2


def test_index_counts_each_source_per_axis_and_objective(world, as_role):
    page = as_role("coordinator").get(f"{BASE}/")
    caption = "Contributions per axis and objective"
    # questions, proposals, supports, ideas, tagged texts, fiches
    assert row(page, caption, "Axis 1") == ["1", "2", "4", "1", "3", "0"]
    assert row(page, caption, "Objective 1.1") == ["1", "1", "3", "0", "0", "0"]
    assert row(page, caption, "Objective 1.2") == ["0", "0", "0", "1", "1", "0"]
    assert row(page, caption, "Axis 2") == ["0", "0", "0", "1", "0", "0"]
    observer = as_role("observer").get(f"{BASE}/")
    assert row(observer, caption, "Axis 1")[4] == "2"          # the tagged survey answer is not counted for them


def test_axis_page_lists_the_axis_fiches(world, as_role, make_fiche):
    make_fiche("Un annuaire des professionnels de santé", axis=world.axis)
    text = text_of(as_role("observer").get(f"{BASE}/axes/{world.axis.id}"))
    assert "Un annuaire des professionnels de santé" in text


def test_draft_form_only_when_its_endpoint_exists_and_only_for_coordinators(world, as_role, app):
    url = f"{BASE}/axes/{world.axis.id}"
    mounted = "plan_manage.draft_from_axis" in app.view_functions
    coordinator = as_role("coordinator").get(url).get_data(as_text=True)
    assert ("Draft a fiche from this evidence" in coordinator) is mounted
    if mounted:
        assert f'name="figure" value="{world.release.id}:Q1"' in coordinator
        assert f'name="proposal" value="{world.proposal_a.id}"' in coordinator
        assert f'name="tagged_text" value="{world.tagged_answer.id}"' in coordinator
    observer = as_role("observer").get(url).get_data(as_text=True)
    assert "Draft a fiche from this evidence" not in observer and 'name="proposal"' not in observer


def test_unknown_huge_and_other_territory_axes_are_not_found(world, as_role, other_territory):
    client = as_role("coordinator")
    other_axis = other_territory.current_contract.axes[0]
    for path in (f"/axes/{other_axis.id}", "/axes/999999", f"/axes/{10**30}", f"/objectives/{10**30}",
                 f"/objectives/{other_axis.objectives[0].id}", "/objectives/0"):
        assert client.get(BASE + path).status_code == 404, path


def test_sources_visible_to_observers(world):
    assert TextSource.SURVEY_ANSWER.value == "survey_answer"


def test_texts_hidden_or_unpublished_after_tagging_leave_the_pages(world, as_role):
    from consult.extensions import db

    world.comment.hidden_at = world.comment.created_at
    world.meeting.minutes_published_at = None
    db.session.commit()
    client = as_role("coordinator")
    text = text_of(client.get(f"{BASE}/axes/{world.axis.id}"))
    assert "Le samedi matin serait idéal." not in text
    assert "Le groupe propose un annuaire des professionnels." not in text
    assert row(client.get(f"{BASE}/"), "Contributions per axis", "Axis 1")[4] == "1"   # the survey answer only


def test_archived_axes_and_objectives_are_not_found(world, as_role):
    from consult.extensions import db
    from tests.synthesis.world import when

    world.objective2.archived_at = when(11, 1)
    world.axis2.archived_at = when(11, 1)
    db.session.commit()
    client = as_role("coordinator")
    assert client.get(f"{BASE}/objectives/{world.objective2.id}").status_code == 404
    assert client.get(f"{BASE}/axes/{world.axis2.id}").status_code == 404
    assert client.get(f"{BASE}/axes/{world.axis.id}").status_code == 200


def test_the_draft_form_of_an_axis_creates_one_fiche_however_often_it_is_sent(world, as_role):
    import re

    from sqlalchemy import func, select

    from consult.extensions import db
    from consult.synthesis.models import Fiche

    client = as_role("coordinator")
    page = client.get(f"{BASE}/axes/{world.axis.id}").get_data(as_text=True)
    form = page[page.index('id="draft-form"'):]
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    action = re.search(r'action="([^"]+/draft)" id="draft-form"', page).group(1)
    sent = {"form_token": token, "title": "Un bus vers l'hôpital", "proposal": str(world.proposal_a.id)}
    first, second = client.post(action, data=sent), client.post(action, data=sent)  # a double click
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Fiche).where(Fiche.title == "Un bus vers l'hôpital")) == 1
