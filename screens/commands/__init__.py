"""The sub-commands of ``yzt`` that open the kiosk's window (``kiosk``, ``demo``): the UI layer's own."""
