"""Who prepared a version: everyone who started, revised, edited or submitted its content. None
of them may decide on it, however many roles they hold."""

from __future__ import annotations

from sqlmodel import Session

from assessments.drafting import queries as version_queries
from assessments.kernel.actors import Actor
from assessments.kernel.errors import NotAllowed
from assessments.models import AssessmentVersion, VersionContributor

SEPARATOR = "; "  # between the names on the version (a name may hold a comma)


MIXED_UP = "You contributed to this version, so someone else must decide on it"


def contributed(session: Session, actor: Actor, version: AssessmentVersion) -> bool:
    """Whether the actor had a hand in the version's content (or started it)."""
    if actor.user_id is None:
        return False
    return actor.user_id == version.author_user_id or version_queries.has_contributor(
        session, version, actor.user_id
    )


def require_no_part_in(session: Session, actor: Actor, version: AssessmentVersion) -> None:
    """Refuse a decision on a version by anyone who contributed to it."""
    if contributed(session, actor, version):
        raise NotAllowed(MIXED_UP)


def note_contribution(session: Session, actor: Actor, version: AssessmentVersion) -> None:
    """Record that the actor changed (or vouched for) the version's content: every use-case
    that does so calls this. The caller holds the version's row lock, so two requests by one
    person cannot both add them."""
    if actor.user_id is None or version_queries.has_contributor(session, version, actor.user_id):
        return
    assert version.id is not None
    session.add(VersionContributor(version_id=version.id, user_id=actor.user_id, name=actor.name))
    session.flush()
    version.prepared_by = SEPARATOR.join(
        c.name for c in version_queries.contributors_of(session, version.id)
    )
    session.add(version)
    session.flush()


def carry_contributors(
    session: Session, source: AssessmentVersion, target: AssessmentVersion
) -> None:
    """The contributors of a version copied into a new one: their work is in the copy."""
    assert source.id is not None and target.id is not None
    for earlier in version_queries.contributors_of(session, source.id):
        session.add(
            VersionContributor(
                version_id=target.id,
                user_id=earlier.user_id,
                name=earlier.name,
                first_contributed_at=earlier.first_contributed_at,
            )
        )
    target.prepared_by = source.prepared_by
    session.add(target)
    session.flush()
