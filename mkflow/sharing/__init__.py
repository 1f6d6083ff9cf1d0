"""Read-only doors for people without an account: share links and personal calendar feeds."""
