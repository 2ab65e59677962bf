"""Questionnaires as data: schema, safe conditions, tolerant answers, loader and the survey flow."""
