"""Work that runs outside a request: the tick, the worker and the command line."""
