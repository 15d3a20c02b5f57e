"""The error normaliser on each vendor's documented (or specified) error bodies."""

from __future__ import annotations

import json

from explorer.core.models import Headers
from explorer.core.problems import FieldError, normalise


def _n(status, body, headers=(), reason=""):  # type: ignore[no-untyped-def]
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return normalise(status, Headers(headers), raw, reason=reason, now=1_000_000.0)


def test_rfc9457_problem_details() -> None:
    p = _n(
        401,
        {
            "type": "https://procode.example/problems/otp-required",
            "title": "Unauthorized",
            "status": 401,
            "detail": "Bearer token has expired.",
            "instance": "/api/premises/features",
        },
    )
    assert p is not None
    assert (p.format, p.status, p.code, p.title) == ("rfc9457", 401, "otp-required", "Unauthorized")
    assert p.detail == "Bearer token has expired."


def test_rfc9457_about_blank_has_no_code() -> None:
    p = _n(404, {"type": "about:blank", "title": "Not Found", "status": 404})
    assert p is not None
    assert p.code is None
    assert p.title == "Not Found"


def test_pce_error_code() -> None:
    p = _n(
        401,
        {
            "errorCode": "EC-AUTH-0001",
            "message": "User authorization attempt failed. "
            "User needs to confirm their credentials.",
            "details": None,
        },
    )
    assert p is not None
    assert p.format == "pce"
    assert p.code == "EC-AUTH-0001"
    assert p.title.startswith("User authorization attempt failed")


def test_servicechannel_error_codes() -> None:
    p = _n(
        401,
        {
            "ErrorCodes": [504],
            "ErrorCode": "504",
            "ErrorMessage": "API call rejected by security permissions",
            "Data": None,
        },
    )
    assert p is not None
    assert p.format == "servicechannel"
    assert (p.code, p.detail) == ("504", "API call rejected by security permissions")


def test_flexiti_field_errors() -> None:
    p = _n(
        409,
        {
            "url": "/flexiti/pos-api/v2.5/client-id/demo/customers/828930/verify",
            "message": "Some inputs are wrong!",
            "error": "wrong_input",
            "field_errors": [{"param": "email", "msg": "invalid", "value": "johndoe@"}],
        },
    )
    assert p is not None
    assert p.format == "flexiti"
    assert p.code == "wrong_input"
    assert p.fields == (FieldError("email", "invalid", "johndoe@"),)
    assert "email: invalid" in p.summary()


def test_oauth2_error() -> None:
    p = _n(
        403,
        {"error": "invalid_grant", "error_description": "The user name or password is incorrect."},
    )
    assert p is not None
    assert p.format == "oauth2"
    assert (p.code, p.detail) == ("invalid_grant", "The user name or password is incorrect.")


def test_apim_status_code_message() -> None:
    p = _n(
        401,
        {
            "statusCode": 401,
            "message": "Access denied due to missing subscription key. Make sure to include "
            "subscription key when making requests to an API.",
        },
    )
    assert p is not None
    assert p.format == "apim"
    assert p.detail is not None
    assert p.detail.startswith("Access denied")


def test_priceedge_envelope_failure_on_http_200() -> None:
    p = _n(200, {"Data": None, "Errors": ["Unknown table 'Itemz'"], "Succeeded": False})
    assert p is not None
    assert p.format == "envelope"
    assert p.status == 200
    assert p.detail == "Unknown table 'Itemz'"


def test_priceedge_envelope_success_is_no_problem() -> None:
    assert (
        _n(200, {"Data": {"data": [], "totalRecords": 0}, "Errors": [], "Succeeded": True}) is None
    )


def test_success_without_envelope_is_no_problem_even_with_error_like_keys() -> None:
    assert _n(200, {"error": "none", "message": "all good"}) is None


def test_retry_after_seconds_and_throttle_reason() -> None:
    body = {
        "Reason": "Request has been throttled. "
        "Your current Application limit is [40] per [1] minute"
    }
    p = _n(429, body, headers=[("Retry-After", "7")])
    assert p is not None
    assert p.retry_after == 7.0
    assert p.detail is not None
    assert "throttled" in p.detail


def test_retry_after_http_date() -> None:
    from email.utils import formatdate

    p = _n(429, "", headers=[("Retry-After", formatdate(1_000_030.0, usegmt=True))])
    assert p is not None
    assert p.retry_after == 30.0
    assert p.title == "Too Many Requests"


def test_non_json_error_keeps_head_of_text() -> None:
    p = _n(502, b"<html><body>Bad gateway from upstream</body></html>", reason="Bad Gateway")
    assert p is not None
    assert p.format == "generic"
    assert p.detail is not None
    assert "Bad gateway" in p.detail
    assert p.title == "Bad Gateway"


def test_aspnet_message() -> None:
    p = _n(401, {"Message": "Authorization has been denied for this request."})
    assert p is not None
    assert p.detail == "Authorization has been denied for this request."


def test_odata_errors_in_either_case_are_problem_cards() -> None:
    """ServiceChannel's UnsupportedApiVersion (ASP.NET API versioning) and the OData / Microsoft
    REST shape with details: read as a problem, not as "generic" or an OAuth2 error."""
    from explorer.core.problems import normalise

    unsupported = {
        "Error": {
            "Code": "UnsupportedApiVersion",
            "Message": "The HTTP resource that matches the request URI '/v9/x' does not "
            "support the API version '9'.",
        }
    }
    problem = normalise(400, {}, json.dumps(unsupported).encode())
    assert problem is not None
    assert (problem.format, problem.code) == ("odata", "UnsupportedApiVersion")
    assert problem.title.startswith("The HTTP resource that matches")
    odata = {
        "error": {
            "code": "BadArgument",
            "message": "Invalid input.",
            "details": [{"code": "NullValue", "target": "name", "message": "name is required"}],
        }
    }
    problem = normalise(400, {}, json.dumps(odata).encode())
    assert problem is not None
    assert (problem.format, problem.code, problem.title) == (
        "odata",
        "BadArgument",
        "Invalid input.",
    )
    assert [(f.name, f.message) for f in problem.fields] == [("name", "name is required")]
    oauth = normalise(400, {}, b'{"error": "invalid_grant", "error_description": "expired"}')
    assert oauth is not None
    assert oauth.format == "oauth2"
