from mkflow.blueprints.processes import editor, routes, schedule_routes  # noqa: F401  (registers the views)
from mkflow.blueprints.processes.routes import bp

__all__ = ["bp"]
