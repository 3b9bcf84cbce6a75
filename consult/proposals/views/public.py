"""Public pages of proposals: calls, the listing, writing, supporting, commenting, reporting and
prioritisation ballots — under /t/<slug>/proposals. No page needs JavaScript."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core.db import reads_first
from consult.core.forms import choices
from consult.core.models import utcnow
from consult.core.pagecache import ORDER_COOKIE, kept_for_visitors
from consult.core.transaction import transaction
from consult.extensions import db
from consult.proposals import forms, permissions
from consult.proposals.models import AnswerStatus, Call, Proposal, ProposalState, Public, VoteMethod
from consult.proposals.services import answers, calls, comments, history, listing, moderation, priority, supports
from consult.proposals.services import writing
from consult.proposals.views import get_call_or_404, get_proposal_or_404, get_vote_or_404, next_url
from consult.territories.structure import structure_of
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("proposals", __name__, url_prefix="/t/<slug>/proposals"))

LARGEST_SEED = 999_983


def _visitor_seed() -> tuple[int, bool]:
    """The visitor's random-order seed, from its own cookie (not the session, so that a visitor without an account
    has no session and may be given a kept page), and whether it is new (then the page sets the cookie)."""
    kept = request.cookies.get(ORDER_COOKIE, "")
    if kept.isdigit() and 1 <= int(kept) <= LARGEST_SEED:
        return int(kept), False
    return secrets.randbelow(LARGEST_SEED) + 1, True


def _proposal(proposal_id: int, *, options=None) -> Proposal:
    proposal = get_proposal_or_404(g.territory, proposal_id, options=options)
    if not permissions.can_see_proposal(current_user, proposal):
        abort(404)  # unpublished proposals do not exist for the public
    return proposal


@bp.get("/")
@kept_for_visitors
def index():
    """The territory's calls for proposals: open, upcoming, past."""
    return render_template("proposals/index.html", territory=g.territory,
                           listing=calls.public_calls(g.territory, utcnow()), now=utcnow())


def _filter_choices(form: forms.FilterForm, call: Call) -> None:
    # One "all" per filter: French agrees it with the noun (« Tous les axes », « Toutes les communes »).
    form.axis.choices = choices([(0, _("All axes"))] + [(a.id, a.title) for a in call.axes])
    form.objective.choices = choices([(0, _("All objectives"))]
                                     + [(o.id, o.title) for a in call.axes for o in a.active_objectives])
    form.commune.choices = choices([(0, _("All communes"))]
                                   + [(c.id, c.name) for c in structure_of(g.territory).communes])
    form.public.choices = choices([("", _("All publics"))] + [(p.value, p.label) for p in Public])
    form.status.choices = choices([("", _("All except merged")), (listing.AWAITING, _("Awaiting an answer"))]
                                  + [(s.value, s.label) for s in AnswerStatus])


@bp.get("/calls/<int:call_id>/")
@kept_for_visitors
def call(call_id: int):
    """A call: its presentation, windows, and the proposals with filters, search, order and pages."""
    item = get_call_or_404(g.territory, call_id, options=listing.call_page())
    form = forms.FilterForm(request.args)
    _filter_choices(form, item)
    valid = form.validate()
    page = request.args.get("page", 1, type=int) or 1
    seed, new_seed = _visitor_seed()
    query = listing.ListingQuery(
        q=(form.q.data or "") if not form.q.errors else "", axis_id=form.axis.data if valid else None,
        objective_id=form.objective.data if valid else None, commune_id=form.commune.data if valid else None,
        public=form.public.data if valid else "", status=form.status.data if valid else "",
        sort=form.sort.data if valid and form.sort.data in listing.SORTS else "random", page=page,
        seed=seed)
    result = listing.list_proposals(item, query, viewer=current_user)
    now = utcnow()
    eligible = permissions.is_eligible(current_user, item)
    response = make_response(render_template(
        "proposals/call.html", territory=g.territory, call=item, form=form, result=result, query=query, now=now,
        supported=result.supported, left=supports.supports_left(current_user, item), eligible=eligible,
        votes=priority.call_votes(item),
        button=forms.ButtonForm() if eligible and item.is_voting(now) else None))  # its token starts a session
    if new_seed:
        # As long as the browser is open, like the session; the order is no secret (the visitor's own view).
        response.set_cookie(ORDER_COOKIE, str(seed), samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _proposal_choices(form: forms.ProposalForm, item: Call) -> None:
    form.axis_id.choices = choices([(0, _("— Choose an axis —"))] + [(a.id, a.title) for a in item.axes])
    objectives = [(0, _("— No particular objective —"))]
    form.objective_id.choices = choices(objectives) + [
        choice for axis in item.axes
        for choice in choices(((o.id, o.title) for o in axis.active_objectives), optgroup=axis.title)]
    form.commune_ids.choices = choices((c.id, c.name) for c in calls.territory_communes(g.territory))


def _data(form: forms.ProposalForm) -> writing.ProposalData:
    return writing.ProposalData(
        title=form.title.data or "", description=form.description.data or "", axis_id=form.axis_id.data or None,
        objective_id=form.objective_id.data or None, whole_territory=form.scope.data != "communes",
        commune_ids=form.commune_ids.data or [], publics=form.publics.data or [])


def _similar(item: Call, form: forms.ProposalForm, exclude_id: int | None = None):
    title = (form.title.data or "").strip()
    return listing.similar_proposals(item, title, exclude_id=exclude_id) if title else []


@bp.route("/calls/<int:call_id>/new", methods=["GET", "POST"])
@login_required
def new(call_id: int):
    """Write a proposal: check for similar ones, save a draft, or submit it for moderation."""
    item = get_call_or_404(g.territory, call_id, options=listing.call_page())
    form = forms.ProposalForm()
    _proposal_choices(form, item)
    action = request.form.get("action", "submit")
    similar = []
    if request.method == "POST" and action == "check":
        similar = _similar(item, form)
        if not similar:
            flash(_("No similar proposal found. You can go on."), "success")
    elif form.validate_on_submit():
        with transaction(form) as saved:
            proposal = writing.create_proposal(current_user, item, _data(form), submit=action == "submit", now=utcnow())
        if saved.ok:
            flash(_("Your proposal is sent to the coordinators, who will publish it soon.") if action == "submit"
                  else _("Your draft is saved. Only you can see it."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    elif request.method == "POST":
        similar = _similar(item, form)
    return render_template("proposals/form.html", territory=g.territory, call=item, form=form, similar=similar,
                           proposal=None, open_now=item.is_submitting(utcnow()),
                           eligible=permissions.is_eligible(current_user, item))


@bp.get("/calls/<int:call_id>/similar")
def similar(call_id: int):
    """Similar published proposals for a title being typed (the HTML fragment the form's script loads)."""
    item = get_call_or_404(g.territory, call_id)
    title = request.args.get("title", "")[:200]
    found = listing.similar_proposals(item, title) if len(title.strip()) >= 4 else []
    return render_template("proposals/_similar.html", territory=g.territory, similar=found)


def _render_detail(proposal: Proposal, comment_form: forms.CommentForm, reply_to=None, reply_form=None,
                   status: int = 200):
    mine = permissions.is_author(current_user, proposal)
    call = proposal.call
    pending = mine and proposal.state in (ProposalState.DRAFT, ProposalState.PENDING)
    standing = supports.standing(current_user, proposal)
    thread = comments.comment_thread(proposal)
    return render_template(
        "proposals/detail.html", territory=g.territory, proposal=proposal, call=call, now=utcnow(), mine=mine,
        supports=standing.supports, supported=standing.supported, left=standing.left,
        eligible=permissions.is_eligible(current_user, call), following=standing.following, thread=thread,
        can_moderate=permissions.can_moderate(current_user, g.territory),
        editable=mine and writing.is_editable(proposal, reactions=bool(standing.supports or thread)),
        comment_form=comment_form, reply_to=reply_to, reply_form=reply_form,
        # A form's token starts a session: none for a visitor without an account, whose page may then be kept.
        button=forms.ButtonForm() if current_user.is_authenticated else None,
        events=history.history(proposal) if mine else [],
        similar=listing.similar_proposals(call, proposal.title, exclude_id=proposal.id) if pending else []), status


@bp.get("/<int:proposal_id>/")
@kept_for_visitors
def detail(proposal_id: int):
    """A proposal: its text, supports, official answer, comments and, for its author, what happens next."""
    return _render_detail(_proposal(proposal_id), forms.CommentForm() if current_user.is_authenticated else None)


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    """The author edits their proposal while nobody has supported or commented it."""
    proposal = _proposal(proposal_id, options=listing.proposal_form_page())
    if not permissions.is_author(current_user, proposal):
        abort(403)
    form = forms.ProposalForm(obj=proposal if request.method == "GET" else None)
    _proposal_choices(form, proposal.call)
    if request.method == "GET":
        form.objective_id.data = proposal.objective_id or 0
        form.scope.data = "whole" if proposal.whole_territory else "communes"
        form.commune_ids.data = [c.id for c in proposal.communes]
        form.publics.data = proposal.publics.split()
    action = request.form.get("action", "save")
    similar = []
    if request.method == "POST" and action == "check":
        similar = _similar(proposal.call, form, proposal.id)
        if not similar:
            flash(_("No similar proposal found. You can go on."), "success")
    elif form.validate_on_submit():
        with transaction(form) as saved:
            writing.update_proposal(current_user, proposal, _data(form), submit=action == "submit", now=utcnow())
        if saved.ok:
            flash(_("Your proposal is saved."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/form.html", territory=g.territory, call=proposal.call, form=form,
                           similar=similar, proposal=proposal, open_now=proposal.call.is_submitting(utcnow()),
                           eligible=True, editable=writing.is_editable(proposal))


def _act(service, success: str, *args, **kwargs) -> bool:
    """Run one service for the logged-in person: commit and flash `success`, or flash the refusal."""
    with transaction() as done:
        service(current_user, *args, now=utcnow(), **kwargs)
    if done.ok:
        flash(success, "success")
    return done.ok


@bp.post("/<int:proposal_id>/submit")
@login_required
def submit(proposal_id: int):
    """Send a draft to the coordinators."""
    proposal = _proposal(proposal_id)
    if forms.ButtonForm().validate_on_submit():
        _act(writing.submit_proposal, _("Your proposal is sent to the coordinators, who will publish it soon."),
             proposal)
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.post("/<int:proposal_id>/<any(support, withdraw):action>")
@login_required
@reads_first
def support(proposal_id: int, action: str):
    """Support a proposal, or withdraw one's support: one write transaction, nothing read again after it."""
    proposal = supports.proposal_to_support(g.territory, proposal_id)
    if proposal is None or not permissions.can_see_proposal(current_user, proposal):
        abort(404)  # unpublished proposals do not exist for the public
    back = next_url(url_for("proposals.detail", proposal_id=proposal.id))
    db.session().expire_on_commit = False  # only a redirect follows: expiring every row loaded would be for nothing
    if forms.ButtonForm().validate_on_submit():
        if action == "support":
            _act(supports.support_proposal, _("Your support is recorded."), proposal)
        else:
            _act(supports.withdraw_support, _("Your support is withdrawn."), proposal)
    return redirect(back)


@bp.post("/<int:proposal_id>/<any(follow, unfollow):action>")
@login_required
def follow(proposal_id: int, action: str):
    """Follow a proposal (an email when its status changes), or stop following it."""
    proposal = _proposal(proposal_id)
    if forms.ButtonForm().validate_on_submit():
        with transaction() as done:
            if action == "follow":
                answers.follow(current_user, proposal)
            else:
                answers.unfollow(current_user, proposal)
        if done.ok:
            flash(_("You will get an email when its status changes.") if action == "follow"
                  else _("You no longer follow this proposal."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.post("/<int:proposal_id>/comments")
@login_required
def comment(proposal_id: int):
    """Comment a proposal or reply to a comment."""
    proposal = _proposal(proposal_id)
    form = forms.CommentForm()
    parent = comments.get_comment(proposal, request.form.get("parent_id", type=int))
    if form.validate_on_submit():
        with transaction(form) as published:
            added = comments.add_comment(current_user, proposal, form.body.data, parent=parent, now=utcnow())
        if published.ok:
            flash(_("Your comment is published."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id, _anchor=f"comment-{added.id}"))
    if parent is not None:
        return _render_detail(proposal, forms.CommentForm(formdata=None), reply_to=parent, reply_form=form, status=422)
    return _render_detail(proposal, form, status=422)


@bp.route("/<int:proposal_id>/report", methods=["GET", "POST"])
@login_required
def report(proposal_id: int):
    """Report a proposal, or one of its comments (?comment=<id>), to the moderators."""
    proposal = _proposal(proposal_id)
    comment_id = request.args.get("comment", type=int)
    target = comments.get_comment(proposal, comment_id)
    if comment_id and target is None:
        abort(404)
    form = forms.ReasonForm()
    if form.validate_on_submit():
        with transaction(form) as reported:
            moderation.report(current_user, proposal, form.reason.data, comment=target, now=utcnow())
        if reported.ok:
            flash(_("Thank you. The moderators will look at your report."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/report.html", territory=g.territory, proposal=proposal, comment=target,
                           form=form)


@bp.route("/votes/<int:vote_id>/", methods=["GET", "POST"])
def vote(vote_id: int):
    """A prioritisation vote: the ballot while it is open, the result when the viewer may see it."""
    item = get_vote_or_404(g.territory, vote_id)
    form = forms.ButtonForm()
    refusal = None
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        if form.validate_on_submit():
            with transaction(show=False) as voted:
                priority.cast_ballot(current_user, item, _ballot_choices(item), now=utcnow())
            if voted.ok:
                flash(_("Your vote is recorded. Thank you!"), "success")
                return redirect(url_for("proposals.vote", vote_id=item.id))
            if voted.error.field == "choices":
                refusal = voted.error  # shown on the ballot, next to the proposals concerned
            else:
                flash(voted.error.message, "error")
        else:
            flash(_("The form expired or was sent twice. Please check and send it again."), "error")
    now = utcnow()
    shown = permissions.can_see_vote_result(current_user, item, now)
    return render_template("proposals/vote.html", territory=g.territory, vote=item, form=form, now=now,
                           voted=priority.has_voted(current_user, item), eligible=permissions.is_eligible(current_user, item.call),
                           results=priority.results(item) if shown else None,
                           ballots=priority.ballot_count(item) if shown else None,
                           refusal=refusal, problems=getattr(refusal, "problems", {}),
                           ranks=_submitted_ranks(item)), 200 if request.method == "GET" else 422


def _submitted_ranks(item) -> dict[int, str]:
    return {p.id: request.form.get(f"rank-{p.id}", "") for p in item.options}


def _ballot_choices(item) -> list[int]:
    """Proposal ids in the order the ballot gives them (ranks, or ticked boxes); raises BallotRefused."""
    if item.method is VoteMethod.PICK:
        return [value for value in request.form.getlist("choice", type=int)]
    return priority.ranked_choices(item, _submitted_ranks(item))
