"""Command-line tools: `flask --app app seed demo`."""

import logging

import click
from flask import Flask
from flask.cli import AppGroup

from mkflow import clock, seeding, seeding_processes, seeding_projects, timed
from mkflow.extensions import db
from mkflow.mail.outbox import LeaseTooShort

seed = AppGroup("seed", help="Load data files from seeds/.")


@seed.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load into a database with no users.")
@click.option(
    "--locale",
    type=click.Choice(["ru", "en"]),
    default="ru",
    show_default=True,
    help="Language of the demo names.",
)
def seed_demo(if_empty: bool, locale: str) -> None:
    """Load the demo company; running it again adds only what is missing."""
    if if_empty and not seeding.database_is_empty():
        click.echo("The database already has data; the demo was not loaded again.")
    else:
        report = seeding.load_company(locale)
        report.merge(seeding_processes.load_processes(locale))
        report.merge(seeding_processes.load_demo_instances(locale))
        report.merge(seeding_projects.load_project_templates(locale))
        report.merge(seeding_projects.load_demo_projects(locale))
        db.session.commit()
        created = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing new"
        click.echo(f"Demo company loaded: {created}.")
    click.echo(f'Demo accounts (password "{seeding.DEMO_PASSWORD}"):')
    for email, title in seeding.demo_accounts(locale):
        click.echo(f"  {email:<26} {title}")


@seed.command("processes")
@click.option("--locale", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
def seed_processes(locale: str) -> None:
    """Load the shipped process templates (for a company without the demo data)."""
    report = seeding_processes.load_processes(locale)
    db.session.commit()
    click.echo(f"Process templates added: {report.created.get('process templates', 0)}.")


@seed.command("projects")
@click.option("--locale", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
def seed_projects(locale: str) -> None:
    """Load the shipped project templates (for a company without the demo data)."""
    report = seeding_projects.load_project_templates(locale)
    db.session.commit()
    click.echo(f"Project templates added: {report.created.get('project templates', 0)}.")


@click.command("tick")
def tick() -> None:
    """Run the time-driven work once: publication dates, schedules, reminders, digests."""
    click.echo(f"Tick: {timed.tick(clock.now())}.")


@click.command("worker")
@click.option("--once", is_flag=True, help="Send one batch of mail and tick once, then stop.")
def worker(once: bool) -> None:
    """Send queued mail and run the tick every minute, until stopped."""
    from mkflow import worker as worker_loop

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        worker_loop.run(once=once)
    except LeaseTooShort as problem:  # a setting that would let a mail go out twice
        raise click.ClickException(str(problem)) from None


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(tick)
    app.cli.add_command(worker)
