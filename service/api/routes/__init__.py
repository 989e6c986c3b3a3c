"""One router per resource; :func:`service.main.create_app` includes them all."""
