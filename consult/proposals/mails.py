"""Messages about proposals, rendered in each recipient's language."""
from __future__ import annotations

from consult.accounts.models import User
from consult.core.mail import render_mail, send
from consult.core.urls import external_url
from consult.proposals.models import Proposal


def _link(proposal: Proposal) -> str:
    return external_url("proposals.detail", slug=proposal.territory.slug, proposal_id=proposal.id)


def send_rejection(proposal: Proposal) -> None:
    """Tell the author why their proposal was not published."""
    author = proposal.author
    send(render_mail("proposal_rejected", author.email, locale=author.locale, user=author, proposal=proposal,
                     link=_link(proposal)))


def send_published(proposal: Proposal) -> None:
    """Tell the author their proposal is online."""
    author = proposal.author
    send(render_mail("proposal_published", author.email, locale=author.locale, user=author, proposal=proposal,
                     link=_link(proposal)))


def send_status_change(proposal: Proposal, people: list[User]) -> None:
    """Tell the author and the followers the proposal's new status and official answer."""
    target_link = _link(proposal.merged_into) if proposal.merged_into is not None else None
    for person in people:
        send(render_mail("proposal_status", person.email, locale=person.locale, user=person, proposal=proposal,
                         is_author=person.id == proposal.author_id, link=_link(proposal), target_link=target_link))
