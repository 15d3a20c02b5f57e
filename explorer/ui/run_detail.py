"""What the Run dialog's detail pane (``runDetail``) says about one result: the request as it
was sent (headers masked), the response (status, headers, the body's first 64 KB) and each
assertion that did not hold with what was expected and what was found. Everything in a result
is already masked by the runner."""

from __future__ import annotations

from explorer.core.runner.model import DETAIL_BODY, RequestResult


def detail_text(result: RequestResult) -> str:
    lines = [f"{result.method} {result.url}"]
    detail = result.detail
    if detail is not None:
        lines += [f"{name}: {value}" for name, value in detail.request_headers]
        if detail.request_body:
            lines += ["", detail.request_body]
    lines.append("")
    if result.error:
        lines.append(f"No response: {result.error}")
    else:
        lines.append(f"Response: {result.status}  {result.elapsed_ms:.0f} ms  {result.size} bytes")
    if detail is not None and not result.error:
        lines += [f"{name}: {value}" for name, value in detail.response_headers]
        if detail.response_body:
            lines += ["", detail.response_body]
        if detail.body_truncated:
            lines.append(f"… (the first {DETAIL_BODY // 1024} KB of {result.size} bytes)")
    failed = [c for c in result.checks if not c.passed]
    if failed:
        lines += ["", "Failed assertions:"]
        lines += [f"  {c.description}: {c.detail}" for c in failed]
    if result.notes:
        lines += ["", *(f"Note: {note}" for note in result.notes)]
    return "\n".join(lines)
