"""Command-line tools: `flask --app app seed demo`."""

import logging

import click
from flask import Flask
from flask.cli import AppGroup

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.jobs import tick, worker
from mkflow.mail.outbox import LeaseTooShort
from mkflow.seeding import calendar_seeds, company_seeds, demo_history, process_seeds, project_seeds

seed = AppGroup("seed", help="Load data files from seeds/.")


def _locale_option(**more):
    return click.option(
        "--locale", type=click.Choice(["ru", "en"]), default="ru", show_default=True, **more
    )


def _load_templates(load, locale: str, kind: str) -> None:
    report = load(locale)
    db.session.commit()
    click.echo(f"{kind.capitalize()} added: {report.created.get(kind, 0)}.")


@seed.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load into a database with no users.")
@_locale_option(help="Language of the demo names.")
def seed_demo(if_empty: bool, locale: str) -> None:
    """Load the demo company; running it again adds only what is missing."""
    if if_empty and not company_seeds.database_is_empty():
        click.echo("The database already has data; the demo was not loaded again.")
    else:
        written_after = demo_history.last_notice_id()
        report = company_seeds.load_company(locale)
        report.merge(process_seeds.load_processes(locale))
        report.merge(process_seeds.load_demo_instances(locale))
        report.merge(demo_history.load_demo_history(locale))
        report.merge(project_seeds.load_project_templates(locale))
        report.merge(project_seeds.load_demo_projects(locale))
        demo_history.settle_old_notifications(written_after)
        db.session.commit()
        created = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing new"
        click.echo(f"Demo company loaded: {created}.")
    click.echo(f'Demo accounts (password "{company_seeds.DEMO_PASSWORD}"):')
    for email, title in company_seeds.demo_accounts(locale):
        click.echo(f"  {email:<26} {title}")


@seed.command("processes")
@_locale_option()
def seed_processes(locale: str) -> None:
    """Load the shipped process templates (for a company without the demo data)."""
    _load_templates(process_seeds.load_processes, locale, "process templates")


@seed.command("projects")
@_locale_option()
def seed_projects(locale: str) -> None:
    """Load the shipped project templates (for a company without the demo data)."""
    _load_templates(project_seeds.load_project_templates, locale, "project templates")


working_calendar = AppGroup("calendar", help="The company's working calendar.")


@working_calendar.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--locale", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option(
    "--replace", is_flag=True, help="Remove the marked days of the file's years it does not list."
)
def calendar_load(path: str | None, locale: str, replace: bool) -> None:
    """Load holidays and moved working days from a file (default: seeds/calendar-ru.toml)."""
    try:
        changed = calendar_seeds.load_calendar(
            path or calendar_seeds.RUSSIA, locale, replace_years=replace
        )
    except (ValueError, DomainError) as problem:
        raise click.ClickException(str(problem)) from None
    db.session.commit()
    click.echo(f"Working calendar loaded: {changed} days changed.")


@click.command("tick")
def tick_once() -> None:
    """Run the time-driven work once: publication dates, schedules, reminders, digests."""
    click.echo(f"Tick: {tick.tick(clock.now())}.")


@click.command("worker")
@click.option("--once", is_flag=True, help="Send one batch of mail and tick once, then stop.")
def run_worker(once: bool) -> None:
    """Send queued mail and run the tick every minute, until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        worker.run(once=once)
    except LeaseTooShort as problem:  # a setting that would let a mail go out twice
        raise click.ClickException(str(problem)) from None


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(working_calendar)
    app.cli.add_command(tick_once)
    app.cli.add_command(run_worker)
