"""Typed failures of the ID card reader: every status word and every transport fault has its own class.

Each carries a Chinese message for the citizen or hall staff and an English one for maintenance
(see :class:`devices.base.DeviceError`). ``NoCard`` is not a fault: :meth:`IdCardReader.read_card`
turns it into ``None``; it exists so that lower layers can say "nothing on the reader" precisely.
"""

from __future__ import annotations

from devices.base import DeviceError, DeviceState


class IdCardError(DeviceError):
    """Base of every ID card reader error."""


# -- the card / the citizen ---------------------------------------------------------------------
class NoCard(IdCardError):
    """Nothing on the reader (SW3 0x80 to find, 0x81 to select)."""

    state = DeviceState.ONLINE

    def __init__(self, message_en: str = "no card on the reader") -> None:
        super().__init__(message_en, "请将身份证放在读卡区。")


class CardRemoved(IdCardError):
    """The card was lifted while it was being read: the citizen puts it back."""

    state = DeviceState.USER_ERROR

    def __init__(self, message_en: str = "card removed during the read") -> None:
        super().__init__(message_en, "读卡过程中证件被移开，请将证件放回读卡区并保持不动。")


class CardUnreadable(IdCardError):
    """The card answered but what it holds is not a card text we can read (damaged or unknown type)."""

    state = DeviceState.USER_ERROR

    def __init__(self, message_en: str, message_zh: str = "无法识别该证件，请确认放置的是有效的居民身份证或居住证。") -> None:
        super().__init__(message_en, message_zh)


# -- frames on the wire (the codec's own errors) ------------------------------------------------
class FrameError(IdCardError):
    """A frame on the serial line that is not valid; the codec reports these and resynchronises.

    Raised to a caller only when every retry met one: the line or the reader is faulty.
    """

    state = DeviceState.HARDWARE_ERROR

    def __init__(self, message_en: str) -> None:
        super().__init__(message_en, "读卡器通信异常，请稍后重试或联系工作人员。")


class ChecksumMismatch(FrameError):
    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"frame checksum mismatch: computed {expected:02X}, received {got:02X}")
        self.expected = expected
        self.got = got


class BadLength(FrameError):
    def __init__(self, length: int) -> None:
        super().__init__(f"frame length {length} out of range")
        self.length = length


class TruncatedFrame(FrameError):
    def __init__(self, have: int, need: int) -> None:
        super().__init__(f"frame cut short: {have} of {need} bytes, then silence")
        self.have = have
        self.need = need


class MalformedAnswer(FrameError):
    """A frame that checks but whose content does not fit its command (lengths inside the data)."""


# -- status words the reader sends back ---------------------------------------------------------
class StatusError(IdCardError):
    """The reader answered with a status word other than success; ``sw3`` says which."""

    def __init__(self, sw3: int, command: str = "", message_en: str | None = None,
                 message_zh: str | None = None, state: DeviceState | None = None) -> None:
        en, zh = STATUS_TEXT.get(sw3, (f"unknown status {sw3:02X}", "读卡器返回未知状态，请联系工作人员。"))
        where = f" to {command}" if command else ""
        super().__init__(message_en or f"reader answered SW3={sw3:02X}{where}: {en}", message_zh or zh, state)
        self.sw3 = sw3
        self.command = command


class CommandRejected(StatusError):
    """The reader refused our frame (checksum, length, unknown command): a host/firmware mismatch."""


class AuthenticationFailed(StatusError):
    """Card–SAM authentication or verification failed (0x31/0x32/0x33): a forged or damaged card."""

    state = DeviceState.USER_ERROR


class ReadFailed(StatusError):
    """The card could not be read (0x41 and the card is still there, 0x47, 0x37)."""

    state = DeviceState.USER_ERROR


class UnknownCardType(StatusError):
    state = DeviceState.USER_ERROR


class SamFault(StatusError):
    """The security module failed its self-test or is not authorised: an engineer is needed."""

    state = DeviceState.HARDWARE_ERROR


class NoSuchItem(StatusError):
    """0x91: the card carries no such item (e.g. no appended address)."""

    state = DeviceState.ONLINE


STATUS_TEXT: dict[int, tuple[str, str]] = {
    0x10: ("the reader received a frame with a bad checksum", "读卡器通信校验错误，正在重试。"),
    0x11: ("the reader received a frame with a bad length", "读卡器通信长度错误，正在重试。"),
    0x21: ("the reader does not know this command", "读卡器不支持该指令，请联系工作人员。"),
    0x23: ("command not permitted now", "读卡器暂不允许该操作，请稍后重试。"),
    0x24: ("unknown error in the reader", "读卡器发生未知错误，请联系工作人员。"),
    0x31: ("card failed to authenticate the SAM", "证件认证失败，请确认证件有效。"),
    0x32: ("SAM failed to authenticate the card", "证件认证失败，请确认证件有效。"),
    0x33: ("information verification failed", "证件信息验证失败，请确认证件有效。"),
    0x37: ("fingerprint information error", "证件指纹信息错误。"),
    0x3F: ("information length error", "证件信息长度错误，请重新放置证件。"),
    0x40: ("unknown card type", "无法识别的证件类型。"),
    0x41: ("reading the card failed", "读取证件失败，请重新放置证件并保持不动。"),
    0x47: ("the card did not give a random number", "读取证件失败，请重新放置证件。"),
    0x60: ("SAM self-test failed", "读卡器安全模块故障，请联系工作人员。"),
    0x66: ("SAM not authorised", "读卡器安全模块未授权，请联系工作人员。"),
    0x80: ("no card found", "请将身份证放在读卡区。"),
    0x81: ("selecting the card failed", "请将身份证放在读卡区。"),
    0x91: ("the card has no such item", "证件无此项信息。"),
}

_CLASSES: dict[int, type[StatusError]] = {
    0x10: CommandRejected, 0x11: CommandRejected, 0x21: CommandRejected, 0x23: CommandRejected,
    0x24: StatusError, 0x31: AuthenticationFailed, 0x32: AuthenticationFailed, 0x33: AuthenticationFailed,
    0x37: ReadFailed, 0x3F: ReadFailed, 0x40: UnknownCardType, 0x41: ReadFailed, 0x47: ReadFailed,
    0x60: SamFault, 0x66: SamFault, 0x91: NoSuchItem,
}


def status_error(sw3: int, command: str = "") -> IdCardError:
    """The typed error for a status word (``NoCard`` for 0x80/0x81)."""
    if sw3 in (0x80, 0x81):
        return NoCard(f"no card ({STATUS_TEXT[sw3][0]}, SW3={sw3:02X}{' to ' + command if command else ''})")
    return _CLASSES.get(sw3, StatusError)(sw3, command)
