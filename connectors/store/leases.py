"""Leases: which run holds a source, a sink or a stage, so overlapping runs never collide.

A lease expires on its own, so a crashed run never blocks the next one for longer than its TTL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, delete, or_, update

from connectors.store.schema import leases
from connectors.store.upsert import upsert


class LeaseHeld(RuntimeError):
    def __init__(self, resource: str, holder: str, expires_at: datetime):
        self.resource, self.holder, self.expires_at = resource, holder, expires_at
        super().__init__(f"{resource} is held by run {holder} until {expires_at:%Y-%m-%d %H:%M:%S} UTC")


def acquire(engine: Engine, resource: str, holder: str, ttl: timedelta, now: datetime) -> None:
    """Take or renew the lease, or raise LeaseHeld naming who has it."""
    expires = now + ttl
    with engine.begin() as conn:
        taken = conn.execute(
            update(leases)
            .where(and_(leases.c.resource == resource, or_(leases.c.holder == holder, leases.c.expires_at < now)))
            .values(holder=holder, acquired_at=now, expires_at=expires)
        ).rowcount
        if taken:
            return
        upsert(
            conn,
            leases,
            [{"resource": resource, "holder": holder, "acquired_at": now, "expires_at": expires}],
            keys=["resource"],
            update=[],
        )
        row = conn.execute(leases.select().where(leases.c.resource == resource)).one()
    if row.holder != holder:
        raise LeaseHeld(resource, row.holder, row.expires_at)


def release(engine: Engine, resource: str, holder: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(leases).where(and_(leases.c.resource == resource, leases.c.holder == holder)))
