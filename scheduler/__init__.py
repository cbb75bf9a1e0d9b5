"""The scheduler process: its job list and thin job wrappers land with the reminders issue."""
