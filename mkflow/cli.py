"""Command-line tools: `flask --app app seed demo`."""

import click
from flask import Flask
from flask.cli import AppGroup

from mkflow import seeding
from mkflow.extensions import db

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
        db.session.commit()
        created = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing new"
        click.echo(f"Demo company loaded: {created}.")
    click.echo(f'Demo accounts (password "{seeding.DEMO_PASSWORD}"):')
    for email, title in seeding.demo_accounts(locale):
        click.echo(f"  {email:<26} {title}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed)
