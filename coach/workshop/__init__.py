"""Workshops: many messages or drafts at once, reports safe to share, and practice."""
