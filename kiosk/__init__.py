"""银政通 kiosk core: configuration, journeys, session, documents, outbox and platform client.

Nothing in this package imports Kivy: every journey runs, and is tested, without a display.
"""
