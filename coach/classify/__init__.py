"""Triage classifiers: data, features, training, and artefacts loaded with verification."""
