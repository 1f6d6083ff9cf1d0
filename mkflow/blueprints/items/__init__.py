from mkflow.blueprints.items.routes import bp

__all__ = ["bp"]
