"""Entry point for `flask --app app ...` and WSGI servers (`gunicorn 'app:app'`)."""

from mkflow.application import create_app, freeze_startup_memory

app = create_app()
freeze_startup_memory()
