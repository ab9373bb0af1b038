"""`flask --app convene check-deploy`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from .deploy_checks import run_checks


@click.command("check-deploy")
@click.option("--single-process", is_flag=True,
              help="Only one process serves requests, so in-memory rate limits are enough.")
@with_appcontext
def check_deploy_command(single_process: bool) -> None:
    """Check the settings a production installation needs; exit status 1 on any problem."""
    failed = 0
    for what, problems in run_checks(single_process):
        if not problems:
            click.echo(f"ok    {what}")
        for problem in problems:
            failed += 1
            click.echo(f"FAIL  {what}: {problem.setting} {problem.message}\n      fix: {problem.fix}")
    if failed:
        click.echo(f"{failed} problem(s) to fix before this installation serves people.")
        raise SystemExit(1)
    click.echo("Ready for production.")


commands = [check_deploy_command]
