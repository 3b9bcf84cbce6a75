"""Benchmark: does the proposals listing stay fast with thousands of proposals and supports?

Builds a temporary SQLite file with one call, SMALL then LARGE published proposals (French titles
and descriptions, search column filled by the service's own normalisation) and about ten supports
and one comment per proposal, then times, through the test client, the first and a middle page of
the listing in each order (random per visitor, most supported, newest, most commented) and a French
search ("santé des aînés"). Each figure is the median of --repeat requests. The SMALL call is the
reference measured in the same run.

    .venv/bin/python bench/proposals_listing.py [--small 200] [--large 5000] [--max-ms 400]

Exits with status 1 when a LARGE request's median exceeds --max-ms.
Not a test: pytest never collects bench/.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from consult.accounts.models import User  # noqa: E402
from consult.core.models import utcnow  # noqa: E402
from consult.extensions import db  # noqa: E402
from consult.proposals import similarity  # noqa: E402
from consult.proposals.models import Call, Comment, Proposal, ProposalState, Support  # noqa: E402
from consult.territories.models import Axis, Contract, Phase, Territory  # noqa: E402
from tests.conftest import build_app  # noqa: E402

WORDS = ("navette hôpital santé aînés maison médecin dentiste prévention dépistage jardin atelier "
         "cuisine enfants jeunes écoute psychologue vélo sport aidants logement précarité").split()


def populate(slug: str, count: int, people: list[int], rng: random.Random) -> int:
    territory = Territory(slug=slug, name=f"Territoire {slug}")
    contract = Contract(territory=territory, generation=1, title="CLS", start_date=dt.date(2023, 1, 1),
                        end_date=dt.date(2027, 12, 31), phase=Phase.SIGNED, is_current=True)
    contract.axes = [Axis(title=f"Axe {n}", position=n) for n in range(4)]
    now = utcnow()
    call = Call(territory=territory, title="Appel", axes=contract.axes, submission_opens_at=now - dt.timedelta(days=9),
                submission_closes_at=now + dt.timedelta(days=9), voting_opens_at=now - dt.timedelta(days=9),
                voting_closes_at=now + dt.timedelta(days=9))
    db.session.add_all([territory, contract, call])
    db.session.flush()
    rows = []
    for n in range(count):
        title = " ".join(rng.sample(WORDS, 4)).capitalize()
        description = " ".join(rng.choices(WORDS, k=30))
        rows.append({"call_id": call.id, "author_id": rng.choice(people), "title": title, "description": description,
                     "axis_id": contract.axes[n % 4].id, "whole_territory": True, "publics": "elderly",
                     "state": ProposalState.PUBLISHED, "search_text": similarity.search_document(title, description),
                     "published_at": now - dt.timedelta(minutes=n), "created_at": now, "updated_at": now,
                     "moderation_reason": "", "answer_text": "", "existing_reference": ""})
    db.session.execute(insert(Proposal), rows)
    ids = [p for p in db.session.scalars(db.select(Proposal.id).where(Proposal.call_id == call.id))]
    supports = {(user, rng.choice(ids)) for user in people for _ in range(max(1, count * 10 // len(people)))}
    db.session.execute(insert(Support), [{"user_id": u, "proposal_id": p, "created_at": now} for u, p in supports])
    db.session.execute(insert(Comment), [{"proposal_id": p, "author_id": rng.choice(people), "body": "D'accord.",
                                          "created_at": now, "hidden_reason": ""} for p in ids])
    db.session.commit()
    return call.id


def median_ms(client, url: str, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--max-ms", type=float, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        with app.app_context():
            rng = random.Random(82033)
            users = [User(email=f"p{n}@example.org", display_name=f"P {n}", password_hash="x",
                          privacy_consent_at=utcnow()) for n in range(500)]
            db.session.add_all(users)
            db.session.flush()
            people = [u.id for u in users]
            calls = {size: (f"t{size}", populate(f"t{size}", size, people, rng)) for size in (args.small, args.large)}
            client = app.test_client()
            failed = False
            print(f"{'request':42} {args.small:>8} {args.large:>8}  (median ms of {args.repeat})")
            for label, query in (("random order, page 1", ""), ("random order, middle page", "?page={mid}"),
                                 ("most supported, page 1", "?sort=supports"), ("newest, page 1", "?sort=newest"),
                                 ("most commented, page 1", "?sort=comments"),
                                 ("search « santé des aînés »", "?q=sant%C3%A9+des+a%C3%AEn%C3%A9s")):
                figures = []
                for size, (slug, call_id) in calls.items():
                    url = f"/t/{slug}/proposals/calls/{call_id}/" + query.format(mid=max(size // 24, 1))
                    figures.append(median_ms(client, url, args.repeat))
                failed |= figures[-1] > args.max_ms
                print(f"{label:42} {figures[0]:8.1f} {figures[1]:8.1f}")
            db.session.remove()
            db.engine.dispose()
    print("FAIL" if failed else "OK", f"(limit {args.max_ms:.0f} ms for {args.large} proposals)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
