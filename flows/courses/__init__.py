"""Courses, enrolment and fair waiting lists: the pure part (policy, positions, offers, flows)."""
