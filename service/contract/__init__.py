"""The contract both products share: the kiosk and the platform each import it, and it imports
nothing else of this repository — only the standard library, pydantic and cryptography.

It lives under ``service/`` because the platform publishes it (its API, its documents, its codes)
and the kiosk is that API's client; a platform install ships it with the service, a kiosk install
ships it too, and a test (``tests/test_layers.py``) keeps it free of both products' code.

What is here: the wire models (:mod:`.models`), ID-number and USCC rules (:mod:`.ids`,
:mod:`.uscc`), the e-licence and its verification (:mod:`.elicence`), request signing
(:mod:`.signing`), acceptance numbers and progress links (:mod:`.acceptance`), reason codes
(:mod:`.codes`) and labels (:mod:`.labels`), masking of personal data (:mod:`.privacy`), sealing
at rest (:mod:`.vault`), private files (:mod:`.files`), systemd notification (:mod:`.systemd`) and
the ``yzt`` command's dispatcher (:mod:`.cli`).
"""

from importlib import metadata

try:
    VERSION = metadata.version("yinzhengtong")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    VERSION = "0.0.0+source"

__all__ = ["VERSION"]
