"""The platform the kiosks submit to: approval engine, registry, licences, linked items, fleet.

FastAPI + SQLAlchemy; SQLite by default, PostgreSQL by URL. Nothing here imports Kivy.
"""
