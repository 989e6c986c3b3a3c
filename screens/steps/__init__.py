"""The steps of the open-a-company journey: one screen per step, named after the journey's ``Step``."""
