from mkflow.blueprints.instances.routes import bp

__all__ = ["bp"]
