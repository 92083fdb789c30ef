"""Management commands of the returns app (issuing, reminders, credit checks)."""
