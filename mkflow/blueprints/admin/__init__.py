from mkflow.blueprints.admin import calendar_days  # noqa: F401  (its routes join bp)
from mkflow.blueprints.admin.routes import bp

__all__ = ["bp"]
