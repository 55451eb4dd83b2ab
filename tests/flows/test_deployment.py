"""prefect.yaml is accepted by `prefect deploy` and yields the deployment ops expect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from tests.conftest import REPO

PREFECT = str(Path(sys.executable).parent / "prefect")


def _prefect(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PREFECT, "--no-prompt", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def test_prefect_deploy_accepts_the_nightly_deployment(prefect_server):
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "LEADS_TIMEZONE": "America/New_York"}
    env.pop("LEADS_HOME", None)  # read by the worker at run time, not at deploy time
    pool = _prefect("work-pool", "create", "leads-process", "--type", "process", env=env)
    assert pool.returncode == 0, pool.stdout + pool.stderr
    deployed = _prefect("deploy", "--all", env=env)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("lead_sync/nightly-lead-sync")
    schedule = deployment.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "America/New_York")
    assert deployment.global_concurrency_limit.limit == 1
    assert deployment.concurrency_options.collision_strategy == "CANCEL_NEW"
    assert deployment.work_pool_name == "leads-process"
    assert deployment.parameters == {"config_path": "leads.yaml", "dry_run": False}
    assert deployment.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": "{{ $LEADS_HOME }}"}}
    ]
