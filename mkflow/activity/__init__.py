"""What happens around process items and project tasks alike: comments, watchers,
notifications and reminders."""
