"""Journeys: what a citizen walks, as plain state machines. Screens show them; they never touch devices.

A journey takes typed inputs (a card reading, a platform answer, a choice on screen), decides,
and either moves on or answers :class:`Problem`s that say what to fix — in Chinese and English.
"""

from kiosk.journeys.problems import Problem

__all__ = ["Problem"]
