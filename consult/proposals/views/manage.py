"""Coordinator pages for proposals: calls, the moderation queue, publishing, rejecting, hiding,
merging, official answers and prioritisation votes — under /t/<slug>/manage/proposals."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import undefer

from consult.core import audit
from consult.core.forms import choices
from consult.core.time import local_input, stored_utc
from consult.core.models import utcnow
from consult.core.transaction import apply_error, transaction
from consult.exports.responses import send_export
from consult.proposals import exports, forms, mails, permissions
from consult.proposals.models import AnswerStatus, Comment, Proposal, ProposalState, Public, Report, VoteMethod
from consult.proposals.services import answers, calls, comments, history, listing, moderation, priority
from consult.proposals.views import get_call_or_404, get_proposal_or_404
from consult.territories.permissions import require
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("proposals_manage", __name__, url_prefix="/t/<slug>/manage/proposals"),
                        managers_only=True)


def _proposal(proposal_id: int):
    """A proposal of this territory that its author has submitted (drafts stay private), or 404; loaded with what
    its moderation page shows."""
    proposal = get_proposal_or_404(g.territory, proposal_id, options=listing.moderation_page())
    if proposal.state is ProposalState.DRAFT:
        abort(404)
    return proposal


@bp.get("/")
def index():
    """The territory's calls for proposals."""
    items = calls.territory_calls(g.territory)
    pending = moderation.pending_counts(items)
    return render_template("proposals/manage/index.html", territory=g.territory, calls=items, pending=pending,
                           now=utcnow())


def _call_data(form: forms.CallForm) -> calls.CallData:
    return calls.CallData(
        title=form.title.data or "", presentation=form.presentation.data or "",
        submission_opens_at=stored_utc(form.submission_opens_at.data),
        submission_closes_at=stored_utc(form.submission_closes_at.data),
        voting_opens_at=stored_utc(form.voting_opens_at.data), voting_closes_at=stored_utc(form.voting_closes_at.data),
        support_limit=form.support_limit.data, residents_only=form.residents_only.data,
        axis_ids=form.axis_ids.data or [])


def _call_form(call=None) -> forms.CallForm:
    form = forms.CallForm(obj=call if request.method == "GET" else None)
    form.axis_ids.choices = choices((a.id, a.title) for a in calls.available_axes(g.territory))
    if request.method == "GET" and call is not None:
        for name in ("submission_opens_at", "submission_closes_at", "voting_opens_at", "voting_closes_at"):
            form[name].data = local_input(getattr(call, name))
        form.axis_ids.data = [a.id for a in call.axes]
    return form


@bp.route("/calls/new", methods=["GET", "POST"])
def new_call():
    """Open a call for proposals."""
    form = _call_form()
    if form.validate_on_submit():
        with transaction(form) as created:
            call = calls.create_call(current_user, g.territory, _call_data(form))
        if created.ok:
            flash(_("The call is created."), "success")
            return redirect(url_for("proposals_manage.call", call_id=call.id))
    return render_template("proposals/manage/call_form.html", territory=g.territory, form=form, call=None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
def edit_call(call_id: int):
    """Change a call's text, windows, limit, eligibility and axes."""
    call = get_call_or_404(g.territory, call_id)
    form = _call_form(call)
    if form.validate_on_submit():
        with transaction(form) as saved:
            calls.update_call(current_user, call, _call_data(form))
        if saved.ok:
            flash(_("The call is saved."), "success")
            return redirect(url_for("proposals_manage.call", call_id=call.id))
    return render_template("proposals/manage/call_form.html", territory=g.territory, form=form, call=call)


@bp.get("/calls/<int:call_id>/")
def call(call_id: int):
    """The moderation queue and open reports (by pages), how many proposals the call has and its prioritisation
    votes."""
    item = get_call_or_404(g.territory, call_id)
    queue = moderation.moderation_queue(item, page=request.args.get("page", 1, type=int),
                                        reports_page=request.args.get("reports_page", 1, type=int))
    return render_template("proposals/manage/call.html", territory=g.territory, call=item,
                           queue=queue, submitted=listing.submitted_count(item),
                           votes=priority.call_votes(item), button=forms.ButtonForm(), now=utcnow())


def _status_choices() -> list:
    published = [(s.value, s.label) for s in AnswerStatus]
    return choices([("", _("All")), (ProposalState.PENDING.value, ProposalState.PENDING.label),
                    (ProposalState.PUBLISHED.value, _("Published (all)")),
                    (listing.AWAITING, _("Published, awaiting an answer")), *published,
                    (ProposalState.REJECTED.value, ProposalState.REJECTED.label),
                    (ProposalState.HIDDEN.value, ProposalState.HIDDEN.label)])


def _page() -> int:
    """The page asked for: 1 when absent or not a whole number from 1 up; one past any real page gives a 404."""
    raw = request.args.get("page", "")
    if not (raw.isascii() and raw.isdecimal()):
        return 1
    if len(raw) > 9:  # never parse a number of a thousand digits; no call has a billion pages
        abort(404)
    return max(int(raw), 1)


def _list_filters(call, *, paged: bool = True) -> tuple[forms.ManageFilterForm, listing.ManageQuery, dict]:
    """The list's filters from the query string (a value that is not among the choices is ignored), the query
    they make (the page asked for when `paged`) and the arguments that repeat them in links (pages, exports)."""
    form = forms.ManageFilterForm(request.args)
    form.status.choices = _status_choices()
    form.axis.choices = choices([(0, _("All"))] + [(a.id, a.title) for a in call.axes])
    form.public.choices = choices([("", _("All"))] + [(p.value, p.label) for p in Public])
    form.validate()
    for field in form:
        if field.errors:
            field.data, field.errors = field.default, []
    query = listing.ManageQuery(q=(form.q.data or "").strip(), axis_id=form.axis.data or None,
                                public=form.public.data or "", status=form.status.data or "",
                                sort=form.sort.data if form.sort.data in listing.MANAGE_SORTS else "newest",
                                page=_page() if paged else 1)
    args = {name: value for name, value in (("q", query.q), ("status", query.status), ("axis", query.axis_id),
                                            ("public", query.public), ("sort", query.sort)) if value}
    return form, query, args


@bp.get("/calls/<int:call_id>/proposals/")
def proposals(call_id: int):
    """Every submitted proposal of the call, filtered, sorted and by pages of 50, with links to export them."""
    item = get_call_or_404(g.territory, call_id)
    form, query, args = _list_filters(item)
    try:
        result = listing.manage_proposals(item, query)
    except listing.PageOutOfRange:
        abort(404)
    return render_template("proposals/manage/proposals.html", territory=g.territory, call=item, form=form,
                           query=query, args=args, result=result, labels=exports.labels(),
                           can_export=permissions.can_export_proposals(current_user, g.territory))


@bp.get("/calls/<int:call_id>/proposals.<any(csv, xlsx, ods):fmt>")
def export_proposals(call_id: int, fmt: str):
    """The filtered list as a file; the log says who took it, never its content."""
    require(permissions.can_export_proposals(current_user, g.territory))
    item = get_call_or_404(g.territory, call_id)
    _form, query, _args = _list_filters(item, paged=False)
    current_app.logger.info("proposals export territory=%s call=%s format=%s user=%s", g.territory.slug, item.id,
                            fmt, current_user.id)
    audit.record_read("export", actor=current_user, territory=g.territory, target=f"call:{item.id}",
                      detail={"file": "proposals", "format": fmt})
    rows = exports.proposal_rows(listing.managed_with_counts(item, query))
    return send_export(exports.write(rows, fmt, sheet=_("Proposals")), fmt=fmt,
                       filename=f"{g.territory.slug}-proposals-call-{item.id}-{utcnow().date().isoformat()}.{fmt}")


def _merge_choices(proposal, similar) -> list:
    """The proposals `proposal` may be merged into, the similar ones first."""
    targets = moderation.merge_targets(proposal)
    close = {p.id for p, _score in similar}
    first = [(p.id, p.title) for p, _score in similar if p in targets]
    rest = [(p.id, p.title) for p in targets if p.id not in close]
    if not first:
        return choices([(0, _("— Choose —"))] + rest)
    return (choices([(0, _("— Choose —"))]) + choices(first, optgroup=_("Similar proposals"))
            + choices(rest, optgroup=_("Other proposals")))


def _render_proposal(proposal, status: int = 200, **overrides):
    similar = (listing.similar_proposals(proposal.call, proposal.title, exclude_id=proposal.id, limit=8,
                                         states=(ProposalState.PENDING, ProposalState.PUBLISHED),
                                         options=(undefer(Proposal.support_total),))
               if proposal.state in moderation.MERGEABLE_STATES else [])
    merge = overrides.pop("merge_form", None) or forms.MergeForm(prefix="merge")
    merge.target_id.choices = _merge_choices(proposal, similar)
    answer = overrides.pop("answer_form", None) or forms.AnswerForm(
        prefix="answer", data={"status": (proposal.answer_status or AnswerStatus.UNDER_STUDY).value
                               if proposal.answer_status is not AnswerStatus.MERGED else AnswerStatus.UNDER_STUDY.value,
                               "text": proposal.answer_text, "existing_reference": proposal.existing_reference})
    return render_template(
        "proposals/manage/proposal.html", territory=g.territory, proposal=proposal, call=proposal.call,
        events=history.history(proposal), reports=proposal.open_reports, supports=proposal.support_total,
        thread=comments.comment_thread(proposal),
        reject_form=overrides.pop("reject_form", None) or forms.ReasonForm(prefix="reject"),
        hide_form=overrides.pop("hide_form", None) or forms.ReasonForm(prefix="hide"),
        answer_form=answer, merge_form=merge, button=forms.ButtonForm(), similar=similar,
        similar_supports={p.id: p.support_total for p, _score in similar}), status


@bp.get("/<int:proposal_id>/")
def proposal(proposal_id: int):
    """One proposal with its moderation history and every action on it."""
    return _render_proposal(_proposal(proposal_id))


def _back(proposal) -> str:
    return url_for("proposals_manage.proposal", proposal_id=proposal.id)


@bp.post("/<int:proposal_id>/<any(publish, restore):action>")
def publish(proposal_id: int, action: str):
    """Publish a proposal awaiting moderation, or show a hidden one again."""
    item = _proposal(proposal_id)
    if forms.ButtonForm().validate_on_submit():
        service = moderation.publish_proposal if action == "publish" else moderation.restore_proposal
        with transaction() as done:  # committed before the email goes
            service(current_user, item, now=utcnow())
        if done.ok:
            if action == "publish":
                mails.send_published(item)
            flash(_("The proposal is published."), "success")
    return redirect(_back(item))


@bp.post("/<int:proposal_id>/<any(reject, hide):action>")
def refuse(proposal_id: int, action: str):
    """Reject a proposal awaiting moderation (the author gets the reason), or hide a published one."""
    item = _proposal(proposal_id)
    form = forms.ReasonForm(prefix=action)
    if form.validate_on_submit():
        service = moderation.reject_proposal if action == "reject" else moderation.hide_proposal
        with transaction(form) as done:  # committed before the email goes
            service(current_user, item, form.reason.data, now=utcnow())
        if done.ok:
            if action == "reject":
                mails.send_rejection(item)
            flash(_("The proposal is rejected and its author informed.") if action == "reject"
                  else _("The proposal is hidden."), "success")
            return redirect(_back(item))
    return _render_proposal(item, 422, **{f"{action}_form": form})


@bp.post("/<int:proposal_id>/answer")
def answer(proposal_id: int):
    """Give the official answer and status; the author and followers get an email when the status changes."""
    item = _proposal(proposal_id)
    form = forms.AnswerForm(prefix="answer")
    if form.validate_on_submit():
        with transaction(form) as answered:  # committed before the emails go
            changed = answers.answer_proposal(current_user, item, answers.AnswerData(
                status=AnswerStatus(form.status.data), text=form.text.data or "",
                existing_reference=form.existing_reference.data or ""), now=utcnow())
        if answered.ok:
            if changed:
                mails.send_status_change(item, answers.recipients(item))
            flash(_("The answer is published."), "success")
            return redirect(_back(item))
    return _render_proposal(item, 422, answer_form=form)


@bp.post("/<int:proposal_id>/merge")
def merge(proposal_id: int):
    """Merge this proposal (published, or awaiting moderation) into a published one of the call; supports move
    without counting anyone twice."""
    item = _proposal(proposal_id)
    form = forms.MergeForm(prefix="merge")
    form.target_id.choices = choices([(0, "")] + [(p.id, p.title) for p in moderation.merge_targets(item)])
    if form.validate_on_submit():
        target = _proposal(form.target_id.data)
        with transaction(form, show=False) as merged:  # committed before the emails go
            moderation.merge_proposals(current_user, item, target, now=utcnow())
        if merged.ok:
            mails.send_status_change(item, answers.recipients(item))
            flash(_("The proposals are merged."), "success")
            return redirect(_back(target))
        if isinstance(merged.error, moderation.AlreadyMerged) and merged.error.into_id == target.id:
            flash(_("These proposals are already merged."), "info")  # a double click: the first request merged
            return redirect(_back(target))
        apply_error(form, merged.error)
    return _render_proposal(item, 422, merge_form=form)


@bp.post("/comments/<int:comment_id>/hide")
def hide_comment(comment_id: int):
    """Hide a comment with a reason."""
    comment = get_or_404(Comment, comment_id, g.territory)
    form = forms.ReasonForm(prefix=f"comment-{comment.id}")
    if form.validate_on_submit():
        with transaction() as hidden:
            moderation.hide_comment(current_user, comment, form.reason.data, now=utcnow())
        if hidden.ok:
            flash(_("The comment is hidden."), "success")
    else:
        flash(_("Give a reason to hide the comment."), "error")
    return redirect(url_for("proposals_manage.proposal", proposal_id=comment.proposal_id, _anchor=f"comment-{comment.id}"))


@bp.post("/reports/<int:report_id>/dismiss")
def dismiss_report(report_id: int):
    """Close a report without hiding anything."""
    item = get_or_404(Report, report_id, g.territory)
    if forms.ButtonForm().validate_on_submit():
        with transaction() as dismissed:
            moderation.dismiss_report(current_user, item, now=utcnow())
        if dismissed.ok:
            flash(_("The report is dismissed."), "success")
    return redirect(url_for("proposals_manage.proposal", proposal_id=item.proposal_id))


@bp.route("/calls/<int:call_id>/votes/new", methods=["GET", "POST"])
def new_vote(call_id: int):
    """Turn the top proposals of an axis into a prioritisation vote."""
    item = get_call_or_404(g.territory, call_id)
    form = forms.PriorityVoteForm()
    form.axis_id.choices = choices((a.id, a.title) for a in item.axes)
    if form.validate_on_submit():
        with transaction(form) as created:
            vote = priority.create_priority_vote(current_user, item, priority.VoteData(
                title=form.title.data, axis_id=form.axis_id.data, size=form.size.data,
                method=VoteMethod(form.method.data), picks=form.picks.data, opens_at=stored_utc(form.opens_at.data),
                closes_at=stored_utc(form.closes_at.data),
                hide_results_until_closed=form.hide_results_until_closed.data))
        if created.ok:
            flash(_("The prioritisation vote is created."), "success")
            return redirect(url_for("proposals.vote", vote_id=vote.id))
    return render_template("proposals/manage/vote_form.html", territory=g.territory, call=item, form=form)

