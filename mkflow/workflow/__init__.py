"""The process engine: template rules, editing, assignment, actions, boards. No HTTP here."""
