from mkflow.blueprints.charts.routes import bp

__all__ = ["bp"]
