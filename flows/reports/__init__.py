"""The figures of the facilitators' reports (issue 17), computed from plain data: pure."""
