from mkflow.blueprints.processes import editor, routes, schedules  # noqa: F401  (registers the views)
from mkflow.blueprints.processes.routes import bp

__all__ = ["bp"]
