"""Devices: one package per device kind, each with codec, driver, simulator and self-test.

Every device follows :class:`devices.base.Device`; addresses are URLs resolved by
:func:`devices.registry.open_device`. Nothing here imports Kivy.
"""
