from mkflow.blueprints.admin.routes import bp

__all__ = ["bp"]
