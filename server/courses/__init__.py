"""Qualification courses: courses, their sessions, trainers, registrations and attendance."""
