"""Importing this package registers every feature's effect appliers and facts loaders."""

from bot.features import core  # noqa: F401
