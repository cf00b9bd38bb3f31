"""Composing constructive first replies to a client (see `suggest.compose`)."""
