"""Queries behind the facilitators' results (issue 17): what the exports and reports read."""
