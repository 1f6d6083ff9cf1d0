from mkflow.blueprints.share import views  # noqa: F401  (registers the shared views)
from mkflow.blueprints.share.routes import SHARED_VIEWS, bp, share_panel, shared_view

__all__ = ["SHARED_VIEWS", "bp", "share_panel", "shared_view"]
