"""Processes: templates and their editing, the engine that runs items through the stages,
assignment, the boards and My work, the history of an item, and the schedules that launch
items on a calendar rule. No HTTP here."""
