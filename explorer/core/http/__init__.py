"""HTTP transport: the client, response bodies and cancellation."""

from explorer.core.http.body import ResponseBody
from explorer.core.http.client import CancelToken, ClientConfig, HttpClient, ProgressCallback

__all__ = ["CancelToken", "ClientConfig", "HttpClient", "ProgressCallback", "ResponseBody"]
