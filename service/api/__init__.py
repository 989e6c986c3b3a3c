"""The HTTP API (CONTRACT.md): routers per resource over one :class:`service.platform.Platform`."""
