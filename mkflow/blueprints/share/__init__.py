from mkflow.blueprints.share.routes import bp

__all__ = ["bp"]
