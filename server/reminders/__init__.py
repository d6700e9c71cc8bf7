"""Reminders for guides (`flask --app server send-reminders`): claim, hours, plenum; each once."""
