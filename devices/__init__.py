"""Devices: one package per device kind, each with codec, driver, simulator and self-test.

Every device follows :class:`devices.base.Device`; addresses are URLs resolved by
:func:`devices.registry.open_device`; each kind declares its options in :mod:`devices.options`.
What the devices share exists once: listener lists and newest-wins queues (:mod:`devices.delivery`),
the reconnect loop (:mod:`devices.reconnect`), the simulators' pty/TCP ends (:mod:`devices.endpoints`),
and for printers the print-job policy (:mod:`devices.printers.policy`). Nothing here imports Kivy.
"""
