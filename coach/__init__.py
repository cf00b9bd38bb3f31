"""coach: an offline English + Russian assistant for replying to unhappy pet-care clients.

    from coach import Coach
    findings = Coach().check("Sorry you feel that way, but it's not my fault.")

`Coach` is imported lazily so that `import coach` stays cheap for tools that only need
the package's metadata or data helpers.
"""
__version__ = "0.1.0"
__all__ = ["Coach", "Finding", "__version__"]


def __getattr__(name):
    if name == "Coach":
        from .api import Coach

        return Coach
    if name == "Finding":
        from .results import Finding

        return Finding
    raise AttributeError(f"module 'coach' has no attribute {name!r}")
