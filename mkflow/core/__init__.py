"""The core every other part stands on: configuration, the database, errors, the one clock,
the working-day calendar, reading input, text helpers. It imports nothing else of mkflow."""
