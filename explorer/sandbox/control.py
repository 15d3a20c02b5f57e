"""The control plane under ``/_sandbox/``: info, clock, reset, log, faults, revoke, stats and
config. Every answer is JSON; bad input gets a 400 with one sentence in ``error``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from explorer.sandbox.kit import SimRequest, SimResponse, check_setting, json_response
from explorer.sandbox.state import Faults, State

MAX_ADVANCE = 10 * 365 * 86400.0


class BadInput(ValueError):
    """The control request is malformed; the message is shown to the caller."""


def _bad(message: str) -> SimResponse:
    return json_response(400, {"error": message}, "control.bad_input")


def _body(request: SimRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise BadInput("The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise BadInput("The body must be a JSON object.")
    return body


def _provider(state: State, body: dict[str, Any]) -> str:
    provider = body.get("provider")
    if provider not in state.vendors:
        raise BadInput(f"'provider' must be one of {', '.join(state.vendors)}; got {provider!r}.")
    return str(provider)


def _number(body: dict[str, Any], name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"'{name}' must be a number of seconds; got {value!r}.")
    return float(value)


def info(state: State, request: SimRequest) -> SimResponse:
    return json_response(200, state.info(), "control.info")


def clock(state: State, request: SimRequest) -> SimResponse:
    if request.method == "POST":
        seconds = _number(_body(request), "advance")
        if not 0 <= seconds <= MAX_ADVANCE:
            raise BadInput(
                "The clock only moves forward, at most ten years at a time: "
                "'advance' must be between 0 and 315360000."
            )
        state.clock.advance(seconds)
    return json_response(
        200, {"now": state.clock.iso(), "offset_s": state.clock.offset}, "control.clock"
    )


def reset(state: State, request: SimRequest) -> SimResponse:
    state.reset()
    return json_response(200, {"reset": True}, "control.reset")


def log(state: State, request: SimRequest) -> SimResponse:
    try:
        limit = int(request.query.get("limit", "200"))
    except ValueError:
        raise BadInput("'limit' must be an integer.") from None
    entries = list(state.log)[-max(limit, 0) :] if limit else []
    return json_response(
        200, {"entries": entries, "notes": list(state.runtime.notes)}, "control.log"
    )


def faults(state: State, request: SimRequest) -> SimResponse:
    if request.method == "POST":
        body = _body(request)
        provider = _provider(state, body)
        if body.get("clear"):
            state.faults[provider] = Faults()
        else:
            known = {f.name: f.type for f in fields(Faults)}
            unknown = sorted(set(body) - set(known) - {"provider"})
            if unknown:
                raise BadInput(
                    f"Unknown fault option(s) {', '.join(unknown)}; use {', '.join(known)}."
                )
            current = state.faults[provider].as_dict()
            for name, value in body.items():
                if name == "provider":
                    continue
                default = current[name]
                if isinstance(value, bool) != isinstance(default, bool) or not isinstance(
                    value, int | float
                ):
                    raise BadInput(
                        f"Fault option '{name}' must be a {type(default).__name__}; got {value!r}."
                    )
                current[name] = type(default)(value)
            for rate in ("error_rate", "malformed_rate", "drop_rate"):
                if not 0 <= current[rate] <= 1:
                    raise BadInput(f"'{rate}' must be between 0 and 1.")
            if not 500 <= current["error_status"] <= 599:
                raise BadInput("'error_status' must be a 5xx status.")
            if current["latency_ms"] < 0 or current["error_next"] < 0:
                raise BadInput("'latency_ms' and 'error_next' must not be negative.")
            state.faults[provider] = Faults(**current)
    return json_response(200, {p: f.as_dict() for p, f in state.faults.items()}, "control.faults")


def revoke(state: State, request: SimRequest) -> SimResponse:
    body = _body(request)
    provider = _provider(state, body)
    vendor = state.vendors[provider]
    env = body.get("environment")
    if env not in vendor.environments:
        raise BadInput(
            f"'environment' must be one of {', '.join(vendor.environments)} for "
            f"{provider}; got {env!r}."
        )
    count = vendor.revoke(str(env), refresh=bool(body.get("refresh", False)))
    return json_response(
        200, {"revoked": count, "refresh": bool(body.get("refresh"))}, "control.revoke"
    )


def stats(state: State, request: SimRequest) -> SimResponse:
    wanted = request.query.get("provider")
    payload = {
        p: {env: c.as_dict() for env, c in envs.items()}
        for p, envs in state.counters.items()
        if wanted in (None, p)
    }
    return json_response(200, payload, "control.stats")


def config(state: State, request: SimRequest) -> SimResponse:
    if request.method == "POST":
        body = _body(request)
        vendor = state.vendors[_provider(state, body)]
        settings = body.get("settings")
        if not isinstance(settings, dict):
            raise BadInput("'settings' must be an object of setting names and values.")
        for name, value in settings.items():
            spec = vendor.settings_spec.get(name)
            if spec is None:
                raise BadInput(
                    f"{vendor.id} has no setting '{name}'; it has "
                    f"{', '.join(vendor.settings_spec)}."
                )
            problem = check_setting(name, spec, value)
            if problem:
                raise BadInput(problem)
        vendor.settings.update(settings)
        vendor.apply_settings()
    payload = {
        vid: {
            name: {"value": v.settings[name], "help": spec.help}
            for name, spec in v.settings_spec.items()
        }
        for vid, v in state.vendors.items()
    }
    return json_response(200, payload, "control.config")


ROUTES: dict[tuple[str, str], Callable[[State, SimRequest], SimResponse]] = {
    ("GET", "info"): info,
    ("GET", "clock"): clock,
    ("POST", "clock"): clock,
    ("POST", "reset"): reset,
    ("GET", "log"): log,
    ("GET", "faults"): faults,
    ("POST", "faults"): faults,
    ("POST", "revoke"): revoke,
    ("GET", "stats"): stats,
    ("GET", "config"): config,
    ("POST", "config"): config,
}


def handle(state: State, name: str, request: SimRequest) -> SimResponse:
    route = ROUTES.get((request.method, name))
    if route is None:
        names = sorted({f"{m} /_sandbox/{n}" for m, n in ROUTES})
        return json_response(
            404,
            {
                "error": f"No control endpoint {request.method} /_sandbox/{name}.",
                "endpoints": names,
            },
            "control.unknown",
        )
    try:
        with state.lock:
            return route(state, request)
    except BadInput as exc:
        return _bad(str(exc))
