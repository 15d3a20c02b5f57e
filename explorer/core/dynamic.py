"""Dynamic values: ``{{$guid}}``, ``{{$randomInt 1 5}}``, ``{{$datetime iso8601 -1 d}}`` ...

One place parses and makes them, so a send, a preview and a snippet agree. The names and
arguments follow VS Code REST Client and httpyac (``$datetime``, ``$localDatetime``,
``$timestamp`` with an ``offset unit``, ``$randomInt min max`` with ``max`` excluded,
``$processEnv NAME``), plus the cheap Postman ones (``$randomUUID``, ``$isoTimestamp``,
``$randomEmail`` ...), so a file written for those tools sends here unchanged. Values are test
data, not secrets: ``random`` is enough.
"""

from __future__ import annotations

import calendar
import random
import re
import shlex
import string
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from explorer.core.errors import TemplateError

Maker = Callable[[Sequence[str], Mapping[str, str] | None], str]
"""Makes one value from its arguments and the opted-in process environment (or None)."""
UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
"""REST Client's offset units that are fixed lengths; ``w``, ``M`` and ``y`` are handled apart
(a month is not a fixed number of days)."""
DAYJS = re.compile(
    r"\[([^\]]*)]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z|X|x"
)
"""The Day.js format tokens REST Client and httpyac document for a custom ``$datetime`` format;
``[text]`` is literal text."""


class DynamicError(ValueError):
    """A ``{{$name ...}}`` that is unknown or has wrong arguments; the text says which and why."""


class DynamicValueError(TemplateError):
    """The ``TemplateError`` for dynamic values: ``problems`` as for undefined variables (so the
    UI underlines them), the message the reasons ``make`` gave, which say what to change."""

    def __init__(self, problems: list[tuple[str, str]], reasons: list[str]) -> None:
        super().__init__(problems, reason="dynamic")
        self.message = " ".join(reasons)
        self.args = (self.message,)


def split(token: str) -> tuple[str, list[str]]:
    """The name and arguments of a dynamic value (quotes group a format with spaces)."""
    try:
        words = shlex.split(token)
    except ValueError as exc:
        raise DynamicError(f"{{{{{token}}}}} has an unbalanced quote; close it.") from exc
    return (words[0], words[1:]) if words else (token, [])


def is_known(token: str) -> bool:
    """Whether ``token`` names a dynamic value (its arguments are checked when it is made)."""
    return token.split(maxsplit=1)[0] in GENERATORS if token.strip() else False


def make(token: str, environ: Mapping[str, str] | None = None) -> str:
    """A fresh value for ``token`` (``$randomInt 1 5``). ``environ`` is the process environment
    when the user opted into it; ``$processEnv`` without it is refused rather than read behind
    the user's back."""
    name, args = split(token)
    generator = GENERATORS.get(name)
    if generator is None:
        raise DynamicError(
            f"{{{{{token}}}}} is not a dynamic value; use one of "
            f"{', '.join(sorted(GENERATORS))}, or define a variable of that name."
        )
    try:
        return generator(args, environ)
    except DynamicError as exc:
        raise DynamicError(f"{{{{{token}}}}}: {exc}") from None
    except (ValueError, OverflowError) as exc:
        raise DynamicError(f"{{{{{token}}}}} cannot be made ({exc}).") from None


def _no_args(make_value: Callable[[], str]) -> Maker:
    def generate(args: Sequence[str], _environ: Mapping[str, str] | None) -> str:
        if args:
            raise DynamicError("it takes no arguments; remove them.")
        return make_value()

    return generate


def _uuid4() -> str:
    import uuid  # here, not at start-up: it imports ``platform`` (a few ms of every run)

    return str(uuid.uuid4())


def _integer(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise DynamicError(f"the {what} {text!r} is not a whole number.") from None


def _shifted(moment: datetime, args: Sequence[str]) -> datetime:
    """``moment`` moved by an optional ``offset unit`` pair (``-1 d``, ``2 M``)."""
    if not args:
        return moment
    if len(args) != 2:
        raise DynamicError("an offset is a number and a unit (ms, s, m, h, d, w, M or y).")
    amount, unit = _integer(args[0], "offset"), args[1]
    if unit == "w":
        return moment + timedelta(weeks=amount)
    if unit in UNITS:
        return moment + timedelta(**{UNITS[unit]: amount})
    if unit not in ("M", "y"):
        raise DynamicError(f"{unit!r} is not an offset unit; use ms, s, m, h, d, w, M or y.")
    months = moment.month - 1 + amount * (12 if unit == "y" else 1)
    year, month = moment.year + months // 12, months % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def _timestamp(args: Sequence[str], _environ: Mapping[str, str] | None) -> str:
    return str(int(_shifted(datetime.now(UTC), args).timestamp()))


def _datetime(local: bool) -> Maker:
    def generate(args: Sequence[str], _environ: Mapping[str, str] | None) -> str:
        if not args:
            raise DynamicError('give a format: rfc1123, iso8601 or a quoted one ("YYYY-MM-DD").')
        now = datetime.now(UTC)
        moment = _shifted(now.astimezone() if local else now, args[1:])
        return _formatted(moment, args[0])

    return generate


def _formatted(moment: datetime, style: str) -> str:
    """RFC 1123, ISO 8601, a strftime format (with ``%``) or a Day.js one (``YYYY-MM-DD``)."""
    if style == "rfc1123":
        return format_datetime(moment, usegmt=moment.utcoffset() == timedelta(0))
    if style == "iso8601":
        text = moment.isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    if "%" in style:
        return moment.strftime(style)
    return DAYJS.sub(lambda match: _dayjs(moment, match), style)


def _dayjs(moment: datetime, match: re.Match[str]) -> str:
    token = match.group(0)
    if match.group(1) is not None:
        return match.group(1)
    hour12 = moment.hour % 12 or 12
    offset = moment.strftime("%z") or "+0000"
    values = {
        "YYYY": f"{moment.year:04d}",
        "YY": f"{moment.year % 100:02d}",
        "MMMM": moment.strftime("%B"),
        "MMM": moment.strftime("%b"),
        "MM": f"{moment.month:02d}",
        "M": str(moment.month),
        "DD": f"{moment.day:02d}",
        "D": str(moment.day),
        "dddd": moment.strftime("%A"),
        "ddd": moment.strftime("%a"),
        "HH": f"{moment.hour:02d}",
        "H": str(moment.hour),
        "hh": f"{hour12:02d}",
        "h": str(hour12),
        "mm": f"{moment.minute:02d}",
        "m": str(moment.minute),
        "ss": f"{moment.second:02d}",
        "s": str(moment.second),
        "SSS": f"{moment.microsecond // 1000:03d}",
        "A": "PM" if moment.hour >= 12 else "AM",
        "a": "pm" if moment.hour >= 12 else "am",
        "ZZ": offset,
        "Z": f"{offset[:3]}:{offset[3:]}",
        "X": str(int(moment.timestamp())),
        "x": str(int(moment.timestamp() * 1000)),
    }
    return values[token]


def _random_int(args: Sequence[str], _environ: Mapping[str, str] | None) -> str:
    if not args:
        return str(random.randint(0, 1000))  # noqa: S311 - test data, not crypto (Postman's range)
    if len(args) != 2:
        raise DynamicError(
            "give a minimum and a maximum ($randomInt 1 10); the maximum is excluded."
        )
    low, high = _integer(args[0], "minimum"), _integer(args[1], "maximum")
    if low >= high:
        raise DynamicError(f"the minimum {low} must be below the maximum {high} (excluded).")
    return str(random.randrange(low, high))  # noqa: S311 - test data, not crypto


def _process_env(args: Sequence[str], environ: Mapping[str, str] | None) -> str:
    if len(args) != 1:
        raise DynamicError("name one environment variable ($processEnv HOME).")
    if environ is None:
        raise DynamicError(
            "reading the process environment is off; allow it (send --process-env) or "
            "define a variable instead."
        )
    if args[0] not in environ:
        raise DynamicError(f"the environment variable {args[0]} is not set.")
    return environ[args[0]]


def _random_email() -> str:
    user = "".join(random.choices(string.ascii_lowercase, k=10))  # noqa: S311 - test data
    return f"{user}@example.com"


def _iso_timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


GENERATORS: dict[str, Maker] = {
    "$uuid": _no_args(_uuid4),
    "$guid": _no_args(_uuid4),
    "$randomUUID": _no_args(_uuid4),
    "$timestamp": _timestamp,
    "$isoTimestamp": _no_args(_iso_timestamp),
    "$datetime": _datetime(local=False),
    "$localDatetime": _datetime(local=True),
    "$randomInt": _random_int,
    "$processEnv": _process_env,
    "$randomEmail": _no_args(_random_email),
    "$randomAlphaNumeric": _no_args(
        lambda: random.choice(string.ascii_lowercase + string.digits)  # noqa: S311 - test data
    ),
    "$randomBoolean": _no_args(lambda: random.choice(("true", "false"))),  # noqa: S311
}
"""Every dynamic value by name; each takes its arguments and the opted-in environment."""
