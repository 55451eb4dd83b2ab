"""Run start: validate the config, resolve secrets once, bring the store up to date, open the run."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.store.migrate import is_current, upgrade
from connectors.store.runs import start_run
from tasks.context import RunContext, build_context, load_run_config


class StoreOutdated(RuntimeError):
    """The store's schema is behind and auto_migrate is off."""


def prepare(config_path: str, run_id: str, flow_run_id: str | None, dry_run: bool) -> RunContext:
    config = load_run_config(config_path)
    ctx = build_context(config, run_id, dry_run)
    engine = ctx.engine()
    if config.store.auto_migrate:
        upgrade(engine)
    elif not is_current(engine):
        raise StoreOutdated("the store's schema is out of date; run `leads db upgrade` (store.auto_migrate is off)")
    start_run(engine, run_id, "lead_sync", flow_run_id, dry_run, ctx.now())
    return ctx


@task(name="prepare-run", cache_policy=NO_CACHE)
def prepare_run(config_path: str, run_id: str, flow_run_id: str | None, dry_run: bool) -> RunContext:
    return prepare(config_path, run_id, flow_run_id, dry_run)
