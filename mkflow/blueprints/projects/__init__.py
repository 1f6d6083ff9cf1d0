from mkflow.blueprints.projects import routes, task_routes  # noqa: F401  (registers the views)
from mkflow.blueprints.projects.routes import bp

__all__ = ["bp"]
