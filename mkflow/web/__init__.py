"""The web layer: the only code that reads the request, the session or ``g``, or builds HTML
(with the templates). The blueprints in ``mkflow.blueprints`` stand on it."""
