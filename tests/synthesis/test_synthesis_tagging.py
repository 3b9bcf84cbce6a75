"""Tagging free texts by hand: the list, the tag and untag forms, duplicates, bad input, privacy."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import Citation, CitationKind, TaggedText, TextSource
from tests.synthesis.world import BASE, FREE_TEXT, OTHER_FREE_TEXT, text_of, world  # noqa: F401


def tags() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(TaggedText.id)))


def test_texts_page_lists_survey_answers_comments_and_published_minutes(world, as_role):
    text = text_of(as_role("coordinator").get(f"{BASE}/texts"))
    assert "5 texts" in text      # three survey answers (one after the release), one comment, one set of minutes
    assert FREE_TEXT in text and OTHER_FREE_TEXT in text
    assert "Le samedi matin serait idéal." in text
    assert "Un commentaire masqué" not in text
    assert "Première réunion du groupe" in text


def test_texts_filter_by_source_and_survey(world, as_role):
    client = as_role("coordinator")
    comments = text_of(client.get(f"{BASE}/texts?source=comment"))
    assert "1 text" in comments and FREE_TEXT not in comments
    survey = text_of(client.get(f"{BASE}/texts?survey={world.survey.id}"))
    assert "3 texts" in survey and "Le samedi matin" not in survey
    assert "5 texts" in text_of(client.get(f"{BASE}/texts?source=nonsense&survey={10**30}&page=-4"))


def test_texts_are_paginated(world, as_role):
    from consult.surveys.models import Channel
    from tests.synthesis.world import add_response

    for i in range(20):
        add_response(world.survey, {"Q1": "1", "Q2": f"Réponse libre numéro {i}"}, Channel.WEB)
    db.session.commit()
    client = as_role("coordinator")
    first = text_of(client.get(f"{BASE}/texts"))
    assert "25 texts" in first and "Page 1 of 2" in first
    second = text_of(client.get(f"{BASE}/texts?page=2"))
    assert "Page 2 of 2" in second and "Le samedi matin serait idéal." in second


def test_coordinator_tags_a_survey_answer_and_tagging_twice_does_nothing(world, as_role):
    client = as_role("coordinator")
    from consult.surveys.models import Answer

    answer = db.session.scalar(select(Answer).where(Answer.value_text == OTHER_FREE_TEXT))
    before = tags()
    for _twice in range(2):
        response = client.post(f"{BASE}/texts/tag", data={"kind": "survey_answer", "item": answer.id,
                                                          "target": f"objective:{world.objective1.id}"})
        assert response.status_code == 302
    assert tags() == before + 1
    tagged = db.session.scalar(select(TaggedText).where(TaggedText.answer_id == answer.id))
    assert (tagged.axis_id, tagged.objective_id, tagged.source) == (world.axis.id, world.objective1.id,
                                                                   TextSource.SURVEY_ANSWER)
    assert OTHER_FREE_TEXT in text_of(client.get(f"{BASE}/objectives/{world.objective1.id}"))


def test_coordinator_tags_a_minutes_excerpt_with_an_axis(world, as_role):
    client = as_role("coordinator")
    before = tags()
    data = {"kind": "minutes", "item": world.meeting.id, "target": f"axis:{world.axis2.id}",
            "excerpt": "Les élus demandent un bus."}
    assert client.post(f"{BASE}/texts/tag", data=data).status_code == 302
    assert client.post(f"{BASE}/texts/tag", data=data).status_code == 302     # a replay adds nothing
    assert tags() == before + 1
    assert "Les élus demandent un bus." in text_of(as_role("observer").get(f"{BASE}/axes/{world.axis2.id}"))


def test_an_empty_excerpt_is_refused_next_to_its_field(world, as_role):
    response = as_role("coordinator").post(f"{BASE}/texts/tag", data={
        "kind": "minutes", "item": world.meeting.id, "target": f"axis:{world.axis.id}", "excerpt": "   "})
    assert response.status_code == 422
    assert "Paste the part of the minutes to tag." in text_of(response)
    assert f'id="excerpt-minutes-{world.meeting.id}-error"' in response.get_data(as_text=True)


def test_untag_removes_the_tag(world, as_role):
    client = as_role("coordinator")
    before = tags()
    assert client.post(f"{BASE}/texts/{world.tagged_comment.id}/untag").status_code == 302
    assert tags() == before - 1
    assert "Le samedi matin serait idéal." not in text_of(client.get(f"{BASE}/axes/{world.axis.id}"))


def test_a_tag_cited_by_a_fiche_is_not_removed(world, as_role, make_fiche):
    fiche = make_fiche(axis=world.axis)
    db.session.add(Citation(fiche=fiche, kind=CitationKind.TAGGED_TEXT, tagged_text=world.tagged_comment))
    db.session.commit()
    client = as_role("coordinator")
    before = tags()
    response = client.post(f"{BASE}/texts/{world.tagged_comment.id}/untag", follow_redirects=True)
    assert "A fiche cites this text" in text_of(response)
    assert tags() == before


def test_bad_tagging_input_gives_no_error_page_and_stores_nothing(world, as_role, other_territory):
    from tests.synthesis.world import build_survey

    foreign = build_survey(other_territory)
    from consult.surveys.models import Answer, Response
    foreign_answer = db.session.scalar(select(Answer).join(Response).where(Response.survey_id == foreign.id,
                                                                         Answer.value_text.is_not(None)))
    choice = db.session.scalar(select(Answer).where(Answer.option_id.is_not(None)))
    client = as_role("coordinator")
    before = tags()
    other_axis = other_territory.current_contract.axes[0]
    bad = [
        {"kind": "survey_answer", "item": foreign_answer.id, "target": f"axis:{world.axis.id}"},
        {"kind": "survey_answer", "item": choice.id, "target": f"axis:{world.axis.id}"},   # not a free text
        {"kind": "survey_answer", "item": 10**30, "target": f"axis:{world.axis.id}"},
        {"kind": "comment", "item": world.hidden_comment.id, "target": f"axis:{world.axis.id}"},
        {"kind": "minutes", "item": world.forum.id, "target": f"axis:{world.axis.id}", "excerpt": "x"},
        {"kind": "comment", "item": world.comment.id, "target": f"axis:{other_axis.id}"},
        {"kind": "comment", "item": world.comment.id, "target": "axis:"},
        {"kind": "elsewhere", "item": world.comment.id, "target": f"axis:{world.axis.id}"},
        {"kind": "minutes", "item": world.meeting.id, "target": f"axis:{world.axis.id}", "excerpt": "x" * 2001},
    ]
    for data in bad:
        response = client.post(f"{BASE}/texts/tag", data=data)
        assert response.status_code == 422, data
    for ident in (999999, 10**30):
        assert client.post(f"{BASE}/texts/{ident}/untag").status_code in (302, 404)
    assert tags() == before


def test_observers_never_reach_the_free_texts(world, as_role):
    client = as_role("observer")
    assert client.get(f"{BASE}/texts").status_code == 403
    for url in (f"{BASE}/", f"{BASE}/axes/{world.axis.id}", f"{BASE}/objectives/{world.objective1.id}",
                f"{BASE}/participation"):
        page = client.get(url)
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert FREE_TEXT not in body and OTHER_FREE_TEXT not in body, url
        assert "Une réponse arrivée après la publication" not in body
        assert "/texts/tag" not in body and "Tag free texts" not in body, url
