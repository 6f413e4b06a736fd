"""A trust's first schedule from the catalogue of England's statutory policies: the entries
for its kind, each marked statutory or not, owned by whoever starts it; starting again adds
nothing and keeps what the trust changed since."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from app.settings import PROJECT_ROOT
from assessments.kernel.actors import Grant, Role
from assessments.kernel.errors import NotAllowed
from assessments.policies import queries as policy_queries
from assessments.policies.policy_catalogue import TrustKind, load_catalogue, schedule_for
from assessments.policies.schedule_start import plan_start, start_from_catalogue
from tests.factories.people import make_person
from tests.factories.trusts import AUTHOR, LOCAL_TRUST_ID

CATALOGUE = load_catalogue(PROJECT_ROOT / "catalogues" / "england-policies.yaml")


def schedule(session: Session) -> dict[str, object]:
    session.expire_all()
    return dict(policy_queries.policies_by_reference(session, LOCAL_TRUST_ID))


@pytest.mark.parametrize("kind", list(TrustKind))
def test_a_trust_starts_from_the_policies_the_law_asks_of_its_kind(
    session: Session, kind: TrustKind
) -> None:
    wanted = schedule_for(CATALOGUE, kind)

    applied = start_from_catalogue(session=session, actor=AUTHOR, catalogue=CATALOGUE, kind=kind)

    assert applied.added == len(wanted)
    found = policy_queries.policies_by_reference(session, LOCAL_TRUST_ID)
    for entry in wanted:
        policy = found[entry.id]
        assert (policy.title, policy.statutory) == (entry.title, entry.statutory)
        assert policy.review_cycle_months == entry.review_every_years * 12
        assert policy.owner_user_id == AUTHOR.user_id
    assert any(p.statutory for p in found.values()) and not all(p.statutory for p in found.values())


def test_starting_again_adds_nothing_and_keeps_the_trust_s_changes(session: Session) -> None:
    kind = TrustKind.ACADEMY_TRUST
    start_from_catalogue(session=session, actor=AUTHOR, catalogue=CATALOGUE, kind=kind)
    first = schedule_for(CATALOGUE, kind)[0]
    policy = policy_queries.policies_by_reference(session, LOCAL_TRUST_ID)[first.id]
    policy.title = "Our own title"
    session.add(policy)
    session.flush()

    again = start_from_catalogue(session=session, actor=AUTHOR, catalogue=CATALOGUE, kind=kind)

    assert (again.added, again.unchanged) == (0, len(schedule_for(CATALOGUE, kind)))
    assert policy_queries.policies_by_reference(session, LOCAL_TRUST_ID)[first.id].title == (
        "Our own title"
    )
    plan = plan_start(session=session, actor=AUTHOR, catalogue=CATALOGUE, kind=kind)
    assert not plan.refused


def test_only_those_who_keep_the_schedule_may_start_it(session: Session) -> None:
    approver = make_person(session, "Ann Approver", Grant(Role.APPROVER))
    with pytest.raises(NotAllowed):
        start_from_catalogue(
            session=session, actor=approver, catalogue=CATALOGUE, kind=TrustKind.ACADEMY_TRUST
        )
    assert policy_queries.policies_by_reference(session, LOCAL_TRUST_ID) == {}


def test_the_catalogue_file_is_where_the_service_reads_it() -> None:
    assert Path(PROJECT_ROOT / "catalogues" / "england-policies.yaml").is_file()
