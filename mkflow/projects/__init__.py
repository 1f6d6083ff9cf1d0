"""Projects and tasks: the domain rules."""
