"""Reviewing a reply draft against what good first replies do (see `review.engine`)."""
