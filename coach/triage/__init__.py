"""Triage of a client's message: severity, tone, category, and what to do now."""
