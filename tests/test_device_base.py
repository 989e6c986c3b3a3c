"""The device base: lifecycle, state, health reports that never raise, the URL registry."""

import pytest

from devices.base import Device, DeviceError, DeviceState, HealthLevel
from devices.registry import UnknownDeviceKind, open_device


class Lamp(Device):
    """A minimal device whose behaviour the test controls."""

    kind = "lamp"

    def __init__(self, url, fail_open=None, fail_check=None):
        super().__init__(url)
        self.fail_open = fail_open
        self.fail_check = fail_check
        self.opened = 0

    def _open(self):
        if self.fail_open:
            raise self.fail_open
        self.opened += 1

    def _close(self):
        pass

    def _check(self, level):
        if self.fail_check:
            raise self.fail_check
        return True, f"{level.value} ok", "正常", {"level": level.value}


def test_open_close_and_health():
    lamp = Lamp("sim://")
    assert lamp.state is DeviceState.CLOSED
    with lamp:
        assert lamp.state is DeviceState.ONLINE
        lamp.open()  # idempotent
        assert lamp.opened == 1
        report = lamp.health(HealthLevel.EXTERNAL)
        assert report.ok and report.level is HealthLevel.EXTERNAL and report.details["level"] == "external"
        assert report.to_dict()["state"] == "online"
    assert lamp.state is DeviceState.CLOSED


def test_open_failure_is_typed_and_recorded():
    lamp = Lamp("/dev/nope", fail_open=FileNotFoundError(2, "No such file"))
    with pytest.raises(DeviceError) as err:
        lamp.open()
    assert err.value.state is DeviceState.OFFLINE and err.value.message_zh
    assert lamp.state is DeviceState.OFFLINE and lamp.counters["errors"] == 1 and "No such file" in lamp.last_error


@pytest.mark.parametrize("exc, state", [
    (DeviceError("paper out", "打印纸用完", DeviceState.USER_ERROR), DeviceState.USER_ERROR),
    (RuntimeError("driver bug 440102199001011234"), DeviceState.HARDWARE_ERROR),
])
def test_health_never_raises_and_masks(exc, state):
    lamp = Lamp("sim://", fail_check=exc)
    lamp.open()
    report = lamp.health()
    assert not report.ok and report.state is state
    assert "440102199001011234" not in (lamp.last_error or "")


def test_registry_rejects_unknown_kinds():
    with pytest.raises(UnknownDeviceKind):
        open_device("toaster", "sim://")
