"""`flask seed-volume`: the counts asked, answers a respondent could have given, the rules of every table kept, and
every page of the filled territories renders.

One run seeds the demo territory (`--into`) and one new territory, on a copy of the demo; the tests read it.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from consult.accounts.models import Role, TerritoryRole, User
from consult.extensions import db
from consult.groups.models import Meeting, Registration, Signup, SignupStatus, WorkingGroup
from consult.proposals.models import (
    Call,
    CallParticipant,
    Comment,
    Proposal,
    ProposalState,
    Support,
)
from consult.surveys import services
from consult.surveys.building.template import TITLE
from consult.surveys.models import Answer, QuestionType, Response, Survey, with_questionnaire
from consult.surveys.results.models import ResultTally
from consult.territories.models import Commune, Territory, territory_by_slug
from tests.conftest import demo_copy

DEMO = "terres-des-confluences"
PASSWORD = "volume-coord-consult"
COUNTS = dict(responses=100, proposals=40, supports=160, comments=50, members=60, meetings=8)
T = QuestionType
VOLUME_ACCOUNT = User.email.like("%.%.%@example.org")  # « martine.delpech.1234@example.org »


@pytest.fixture(scope="module")
def volume(tmp_path_factory):
    """The demo, then `seed-volume` into its territory and one new territory."""
    with demo_copy(tmp_path_factory, tmp_path_factory.mktemp("volume")) as demo:
        before = {
            "responses": db.session.scalar(select(func.count(Response.id))),
            "proposals": db.session.scalar(select(func.count(Proposal.id))),
        }
        args = ["seed-volume", "--territories", "1", "--into", DEMO, "--seed", "7", "--password", PASSWORD]
        for name, count in COUNTS.items():
            args += [f"--{name}", str(count)]
        result = demo.app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 0, result.output
        db.session.remove()
        new = db.session.scalar(select(Territory).where(Territory.slug != DEMO, Territory.slug != "ouest-aveyron"))
        yield demo.app, result.output, before, new.slug


def _survey(slug: str) -> Survey:
    return db.session.scalar(select(Survey).join(Territory).where(Territory.slug == slug, Survey.title == TITLE)
                             .options(*with_questionnaire()))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_each_territory_gets_the_counts_asked(volume):
    app, output, before, slug = volume
    assert "2 territories filled" in output and slug in output and DEMO in output
    new = territory_by_slug(slug)
    assert 12 <= _count(Commune, Commune.territory_id == new.id) <= 30
    assert len(new.current_contract.active_axes) == 4
    assert _count(Response, Response.survey_id == _survey(slug).id) == COUNTS["responses"]
    assert _count(Response, Response.survey_id == _survey(DEMO).id) == before["responses"] + COUNTS["responses"]
    assert _count(Meeting, Meeting.territory_id == territory_by_slug(DEMO).id) >= COUNTS["meetings"]
    assert _count(Proposal) == before["proposals"] + 2 * COUNTS["proposals"]
    new_call = db.session.scalar(select(Call).where(Call.territory_id == new.id))
    assert _count(Support, Support.proposal_id.in_(select(Proposal.id).where(Proposal.call_id == new_call.id))) \
        == COUNTS["supports"]
    assert _count(Comment, Comment.proposal_id.in_(select(Proposal.id).where(Proposal.call_id == new_call.id))) \
        == COUNTS["comments"]
    assert _count(Meeting, Meeting.territory_id == new.id) == COUNTS["meetings"]
    # Accounts: the members asked in each territory, and the new territory's coordinator, who can log in.
    assert _count(User, VOLUME_ACCOUNT) == 2 * COUNTS["members"]
    assert _count(TerritoryRole, TerritoryRole.territory_id == new.id, TerritoryRole.role == Role.COORDINATOR) == 1


def _stored_answers(survey: Survey, responses: set[int]) -> dict[int, dict]:
    """The answers of `responses` read back into the shape respondents send (the inverse of `answer_rows`)."""
    questions = {q.id: q for q in survey.questions}
    options = {o.id: o for q in survey.questions for o in q.options}
    data: dict[int, dict] = defaultdict(dict)
    ranked: dict[tuple[int, str], list] = defaultdict(list)
    rows = db.session.execute(select(Answer).where(Answer.response_id.in_(responses)).order_by(Answer.id)).scalars()
    for answer in rows:
        question, given = questions[answer.question_id], data[answer.response_id]
        option = options.get(answer.option_id)
        if question.type is T.MULTIPLE:
            given.setdefault(question.code, []).append(option.code)
        elif question.type is T.RANKING:
            ranked[(answer.response_id, question.code)].append((answer.rank, option.code))
        elif question.type is T.MATRIX:
            given.setdefault(question.code, {})[options[answer.row_id].code] = option.code
        elif option is not None:
            given[question.code] = option.code
        elif answer.value_number is not None:
            number = answer.value_number
            given[question.code] = int(number) if number == int(number) else number
        else:
            given[question.code] = answer.value_text
        if option is not None and option.is_other:
            given[f"{question.code}.other"] = answer.value_text
    for (response_id, code), pairs in ranked.items():
        data[response_id][code] = [code for _rank, code in sorted(pairs)]
    return data


@pytest.mark.parametrize("which", ["new", "demo"])
def test_every_response_is_one_a_respondent_could_send(volume, which):
    """Stored answers pass the survey's own validation unchanged: conditions followed (no reasons for giving up
    care without having given it up), required questions answered, at most three topics, ranks in order."""
    _app, _output, _before, slug = volume
    survey = _survey(slug if which == "new" else DEMO)
    volume_ids = set(db.session.scalars(select(Response.id).where(Response.survey_id == survey.id)
                                        .order_by(Response.id.desc()).limit(COUNTS["responses"])))
    answers = _stored_answers(survey, volume_ids)
    for response_id in volume_ids:
        given = answers[response_id]
        assert services.validate_all(survey, given) == given
    given_up = Counter(answers[r].get("Q7") for r in volume_ids)
    assert given_up["1"] and given_up["2"], "not every respondent answers the same"
    assert all(("Q8" in answers[r]) <= (answers[r].get("Q7") == "1") for r in volume_ids)
    assert len({tuple(sorted(answers[r]["Q18"].items())) for r in volume_ids if "Q18" in answers[r]}) > 20


@pytest.mark.parametrize("which", ["demo", "new"])
def test_the_responses_are_counted_into_the_stored_tally_as_they_arrive(volume, which):
    """The first results page after a bulk arrival reads the stored tally: it has nothing left to count."""
    app, _output, _before, slug = volume
    survey = _survey(slug if which == "new" else DEMO)
    stored = db.session.get(ResultTally, survey.id)
    assert stored is not None
    assert stored.watermark == db.session.scalar(select(func.max(Response.id)).where(Response.survey_id == survey.id))
    assert sum(row[-1] for row in stored.responses) == _count(Response, Response.survey_id == survey.id)


def test_the_rules_of_every_table_hold(volume):
    """Counters match their rows, a waitlist only behind a full group, supports within the call's limit, one
    participant row per supporter, supports only on published proposals, replies one level deep."""
    for group in db.session.scalars(select(WorkingGroup)):
        statuses = Counter(s.status for s in group.signups)
        assert group.member_count == statuses[SignupStatus.MEMBER] <= group.capacity
        assert not statuses[SignupStatus.WAITLISTED] or group.is_full
    for meeting in db.session.scalars(select(Meeting).where(Meeting.capacity.is_not(None))):
        assert meeting.registered_count == _count(Registration, Registration.meeting_id == meeting.id,
                                                  Registration.cancelled_at.is_(None)) <= meeting.capacity
    for call in db.session.scalars(select(Call)):
        supports = db.session.execute(select(Support.user_id, func.count()).join(Proposal)
                                      .where(Proposal.call_id == call.id).group_by(Support.user_id)).all()
        assert all(count <= (call.support_limit or count) for _user, count in supports)
        participants = set(db.session.scalars(select(CallParticipant.user_id).where(CallParticipant.call_id == call.id)))
        supporters = {user for user, _count in supports}
        # The demo's own supports come without a participant row; every volume supporter has one.
        assert participants <= supporters
        assert not supporters - participants & set(db.session.scalars(select(User.id).where(VOLUME_ACCOUNT)))
    assert not _count(Support, Support.user_id.in_(select(User.id).where(VOLUME_ACCOUNT)),
                      Support.proposal_id.in_(select(Proposal.id).where(Proposal.state != ProposalState.PUBLISHED)))
    assert not _count(Comment, Comment.parent_id.in_(select(Comment.id).where(Comment.parent_id.is_not(None))))
    assert not _count(Signup, Signup.status == SignupStatus.MEMBER, Signup.member_since.is_(None))


def test_the_pages_of_a_volume_territory_render(volume):
    app, _output, _before, slug = volume
    client = app.test_client()
    coordinator = db.session.scalar(select(User).where(User.email == f"coordination.{slug}@example.org"))
    assert client.post("/account/login", data={"email": coordinator.email, "password": PASSWORD}).status_code == 302
    survey = _survey(slug)
    call = db.session.scalar(select(Call).join(Territory).where(Territory.slug == slug))
    proposal = db.session.scalar(select(Proposal).where(Proposal.call_id == call.id,
                                                        Proposal.state == ProposalState.PUBLISHED))
    group = db.session.scalar(select(WorkingGroup).join(Territory).where(Territory.slug == slug))
    meeting = db.session.scalar(select(Meeting).join(Territory).where(Territory.slug == slug))
    pages = [f"/t/{slug}/", f"/t/{slug}/surveys/", f"/t/{slug}/manage/", f"/t/{slug}/manage/surveys/{survey.id}/",
             f"/t/{slug}/manage/surveys/{survey.id}/results",
             f"/t/{slug}/proposals/calls/{call.id}/", f"/t/{slug}/proposals/{proposal.id}/",
             f"/t/{slug}/manage/proposals/calls/{call.id}/", f"/t/{slug}/manage/proposals/{proposal.id}/",
             f"/t/{slug}/groups/", f"/t/{slug}/groups/{group.id}", f"/t/{slug}/manage/groups/{group.id}/members",
             f"/t/{slug}/agenda", f"/t/{slug}/meetings/{meeting.id}", f"/t/{slug}/manage/meetings/participation",
             f"/t/{slug}/manage/synthesis/participation"]
    statuses = {page: client.get(page).status_code for page in pages}
    assert statuses == {page: 200 for page in pages}
    home = client.get(f"/t/{slug}/proposals/{proposal.id}/").get_data(as_text=True)
    assert proposal.title.replace("'", "&#39;") in home


def test_an_unknown_territory_is_refused_and_nothing_is_written(runner):
    result = runner.invoke(args=["seed-volume", "--into", "nulle-part", "--responses", "5"])
    assert result.exit_code == 1
    assert "No territory has the slug « nulle-part »" in result.output
    assert _count(Territory) == 0 and _count(User) == 0
