"""The desk's qualification courses (server/courses/ holds the rules)."""
