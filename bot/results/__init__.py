"""Results leaving the bot for facilitators (issue 17): survey, contact and enrolment exports,
the needs summary and the monitoring report, written as xlsx, csv or json files.

``files`` writes a file safely (a temporary name renamed at the end); the exports and the
reports each have their own module; ``clc-admin export`` and ``clc-admin report`` call them.
"""
