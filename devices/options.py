"""What each device kind takes, declared once: its options and the options its URLs may carry.

Every device module declares a :class:`Declaration` (``OPTIONS``): the keyword options its
``for_url`` takes — each an :class:`Option` with a name, a type, a default, a one-line doc and a
check — and, per URL scheme it handles, the options that scheme's query takes (``sim://?card=zhang``,
``cups://Q?server=…``). From the one declaration:

* ``for_url`` takes its options (:meth:`Declaration.take`) and its URL's query
  (:meth:`Declaration.url_query`); anything not declared is refused, with one line naming it and
  the known names, as pyserial's URL handlers refuse an unknown ``?option``;
* ``kiosk.toml``'s ``[devices.<kind>]`` sections are built from the options marked ``config``;
* ``yzt config check`` checks a configured URL without building the device (:meth:`Declaration.check_url`).

URL schemes a device hands to someone else (pyserial's ``socket://``, ``spy://``, ``rfc2217://``,
an RTSP camera stream) are not declared here: their own handlers judge their queries.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Check = Callable[[Any], "str | None"]  # a complaint ("must be between 1 and 5") or None

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_TYPE_WORDS = {bool: "true/false", int: "a whole number", float: "a number", str: "a text"}


class OptionError(ValueError):
    """An option (or URL option) the device does not take, or a value it cannot use: one line.

    ``complaint`` is the part after the value, for ``yzt config check``'s ``[section] key = value …``.
    """

    def __init__(self, subject: str, complaint: str) -> None:
        super().__init__(f"{subject} {complaint}")
        self.subject = subject
        self.complaint = complaint


def between(lo: float, hi: float) -> Check:
    return lambda v: None if lo <= v <= hi else f"must be between {lo:g} and {hi:g}"


def one_of(*choices: Any) -> Check:
    return lambda v: None if v in choices else f"must be one of {', '.join(map(str, choices))}"


@dataclass(frozen=True)
class Option:
    """One option: ``type`` is bool, int, float or str (what kiosk.toml and a URL can say) or
    ``object`` (passed by code only: a job store); ``config`` puts a device option in kiosk.toml
    (``[devices.<kind>]``; it then needs a default kiosk.toml can write). URL options ignore it."""

    name: str
    type: type
    default: Any
    doc: str
    check: Check | None = None
    config: bool = True

    def coerce(self, value: Any, subject: str) -> Any:
        """``value`` (from code or kiosk.toml) as this option's type, checked."""
        if value is None or self.type is object:
            return value
        if self.type is str and isinstance(value, os.PathLike):
            value = os.fspath(value)
        ok = (isinstance(value, bool) if self.type is bool else
              isinstance(value, int) and not isinstance(value, bool) if self.type is int else
              isinstance(value, (int, float)) and not isinstance(value, bool) if self.type is float else
              isinstance(value, self.type))
        complaint = None if ok else f"must be {_TYPE_WORDS.get(self.type, self.type)}"
        if ok:
            value = float(value) if self.type is float else value
            complaint = self.complaint(value)
        if complaint:
            raise OptionError(f"{subject} {self.name} = {value!r}", complaint)
        return value

    def parse(self, text: str, subject: str) -> Any:
        """A URL query's text as this option's type, checked."""
        value: Any = text
        complaint = None
        if self.type is bool:
            low = text.strip().lower()
            value = low in _TRUE
            complaint = None if low in _TRUE + _FALSE else "must be 1/0 (true/false, yes/no, on/off)"
        elif self.type in (int, float):
            try:
                value = self.type(text)
            except ValueError:
                complaint = f"must be {_TYPE_WORDS[self.type]}"
        complaint = complaint or self.complaint(value)
        if complaint:
            raise OptionError(subject, f"has `{self.name}={text}`, which {complaint}")
        return value

    def complaint(self, value: Any) -> str | None:
        """What the check says of ``value`` (an empty text is "not set" and always passes)."""
        return self.check(value) if self.check is not None and value != "" else None


@dataclass(frozen=True)
class Declaration:
    """A device kind's options and URL options (see the module docstring)."""

    kind: str
    what: str  # how maintenance staff call it: "ID card reader"
    default_url: str  # the address kiosk.toml starts from ("" = not fitted)
    url_doc: str  # the addresses it takes, in one line
    options: tuple[Option, ...]
    url_options: Mapping[str, tuple[Option, ...]] = field(default_factory=dict)  # scheme -> its query's options
    required: bool = True  # kiosk.toml's default for `required`
    check_address: Callable[[str], object] | None = None  # raises ValueError for an address this kind cannot use

    def __post_init__(self) -> None:
        names = [o.name for o in self.options]
        if len(set(names)) != len(names) or {"url", "required", "name"} & set(names):
            raise TypeError(f"{self.kind}: option names must be unique and not url, required or name")
        for o in self.configurable:
            if o.type not in _TYPE_WORDS or o.default is None:
                raise TypeError(f"{self.kind} option {o.name}: kiosk.toml takes bool, int, float or str with a default")

    @property
    def names(self) -> list[str]:
        return [o.name for o in self.options]

    def option(self, name: str) -> Option:
        for o in self.options:
            if o.name == name:
                return o
        raise KeyError(name)

    @property
    def configurable(self) -> tuple[Option, ...]:
        """The options kiosk.toml's ``[devices.<kind>]`` takes."""
        return tuple(o for o in self.options if o.config)

    def arguments(self, url: str, options: Mapping[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """What ``for_url`` starts from: the address (an empty one is refused), every option's value
        (:meth:`take`) and the URL's options (:meth:`url_query`)."""
        url = str(url).strip()
        if not url:
            raise ValueError(f"{self.what} url is empty")
        return url, self.take(options), self.url_query(url)

    def take(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every option's value: ``given`` (None = the default) checked, the rest at their defaults;
        a name this kind does not declare is refused."""
        unknown = sorted(set(given) - set(self.names))
        if unknown:
            raise OptionError(f"the {self.what}", f"takes no option {_names(unknown)}; known: {', '.join(self.names)}")
        return {o.name: o.default if given.get(o.name) is None else o.coerce(given[o.name], f"{self.what} option")
                for o in self.options}

    def url_query(self, url: str) -> dict[str, Any]:
        """The options in ``url``'s query for a scheme this kind handles (defaults filled in);
        ``{}`` for a scheme it hands on (pyserial's, a stream's), whose handler judges its query.
        An option the scheme does not declare is refused, naming it and the known ones."""
        scheme = _scheme(url)
        if scheme not in self.url_options:
            return {}
        declared = {o.name: o for o in self.url_options[scheme]}
        query = urlsplit(url).query
        pairs = parse_qsl(query, keep_blank_values=True)
        if query and not pairs:
            raise OptionError(f"{self.what} address {url!r}", f"has a query that is not name=value: {query!r}")
        unknown = [name for name, _ in pairs if name not in declared]
        if unknown:
            known = ", ".join(declared) if declared else "none"
            raise OptionError(f"{self.what} address {url!r}",
                              f"has an unknown option {_names(unknown)} ({scheme}:// takes: {known})")
        values = {name: o.default for name, o in declared.items()}
        for name, text in pairs:  # the last one given wins
            values[name] = declared[name].parse(text, f"{self.what} address {url!r}")
        return values

    def check_url(self, url: str) -> None:
        """Refuse what :func:`for_url` would refuse about ``url``, without building anything."""
        if not str(url).strip():
            return
        self.url_query(url)
        if self.check_address is not None:
            try:
                self.check_address(url)
            except OptionError:
                raise
            except ValueError as exc:
                raise OptionError(f"{self.what} address {url!r}", f"cannot be used: {exc}") from None

    def describe_url(self) -> str:
        """The addresses and, per scheme, the URL options' names: one line (kiosk.toml's ``url``)."""
        with_options = [f"`{scheme}://` takes " + ", ".join(f"`?{o.name}=`" for o in opts)
                        for scheme, opts in self.url_options.items() if opts]
        tail = f" ({'; '.join(with_options)})" if with_options else ""
        return f"{self.url_doc}{tail}; empty = not fitted"

    def describe_url_options(self) -> list[str]:
        """One line a scheme this kind handles: its options and what each means (for documentation)."""
        return [f"`{scheme}://` " + ("takes " + "; ".join(f"`{o.name}` ({o.doc})" for o in opts) if opts
                                     else "takes no options")
                for scheme, opts in self.url_options.items()]


def _scheme(url: str) -> str:
    head, sep, _ = str(url).strip().partition("://")
    return head.lower() if sep else ""


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in dict.fromkeys(names))


# -- options several kinds share (each kind still declares which of them it takes) ----------------------
BAUD_RATES = (9600, 19200, 38400, 57600, 115200)


def baud_option(doc: str = "serial speed of the device's line") -> Option:
    return Option("baud", int, 115200, doc, one_of(*BAUD_RATES))


def reconnect_options(what: str) -> tuple[Option, ...]:
    """The back-off of a device whose thread reopens it (:mod:`devices.reconnect`)."""
    return (Option("reconnect_s", float, 0.5, f"first wait before reopening a lost {what} (it doubles each failure)",
                   between(0.01, 60)),
            Option("reconnect_max_s", float, 5.0, f"longest wait between attempts to reopen the {what}",
                   between(0.01, 600)))


def interactive_option(what: str) -> Option:
    return Option("interactive_timeout_s", float, 15.0, f"how long the maintenance screen's {what} test waits",
                  between(1, 600))


def jobs_options() -> tuple[Option, ...]:
    """Where a printer keeps jobs for reprint: passed by the kiosk (its sealed store), never configured."""
    return (Option("jobs", object, None, "the JobStore kept jobs go to (the kiosk passes its sealed one)", config=False),
            Option("jobs_dir", str, None, "a folder for kept jobs, when no store is given", config=False))
