"""TLS files per provider environment and per collection: a CA bundle to trust and a client
certificate (a PEM certificate and key, or a PKCS#12 file whose password lives in the credential
store), decided once per send and applied to the API call and the token call alike.

Where they come from, first found wins; the client certificate, its key and a PKCS#12 file
count as one group (a certificate never meets another source's key), the CA bundle on its own:

1. the command line (``send --ca-bundle/--cert/--key``): the caller's ``override``;
2. the request's scope, layer by layer in its order, through the reserved variables
   ``tls_ca_bundle``, ``tls_client_cert``, ``tls_client_key`` and ``tls_pkcs12``: a ``--var``,
   the workspace's saved values of the environment (the window's TLS dialog writes them;
   ``pipeline.workspace_layers`` gives them as an ``OwnTls`` layer), then a collection's
   ``tls:`` (``workspace.model.folder_layers`` turns it into these variables);
3. the provider environment's ``tls:`` in its preset.

A PKCS#12 file's password is the secret variable ``tls_password``: a provider environment's
credential slot, a collection's secret variable, both in the credential store. The file is
converted once per process to a PEM file that only this user can read, named like a spill file
(``tempfiles``) so the sweep after a crash removes it too, and deleted at exit.

A collection is untrusted (``confinement``): the files it names, like every value a saved
request's scope holds, must lie inside its workspace unless the user allows them (``run
--allow-file``). The user's own choices are not confined: the command line, the environment's
saved TLS files (``OwnTls``) and a preset's.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from explorer.core.errors import ConnectError, InvalidRequest, TLSError, TransportError
from explorer.core.redaction import remember
from explorer.core.templating import Layer, Scope, expand

if TYPE_CHECKING:
    from collections.abc import Callable
    from http.cookiejar import CookieJar

    from requests.auth import AuthBase

    from explorer.core.confinement import FileAccess
    from explorer.core.http.client import CancelToken, HttpClient, ProgressCallback
    from explorer.core.models import Exchange, ResolvedRequest

__all__ = [
    "FIELDS",
    "PASSWORD",
    "OwnTls",
    "TlsFiles",
    "apply",
    "chosen",
    "explain",
    "resolve_tls",
    "send_presenting",
]

FIELDS = ("ca_bundle", "client_cert", "client_key", "pkcs12")
"""The keys of a preset environment's and a collection's ``tls:``."""
PREFIX = "tls_"
"""The reserved variables are the keys with this prefix: ``tls_client_cert`` ..."""
PASSWORD = "tls_password"  # noqa: S105 - the name of the secret, not a secret
"""The secret variable (and provider credential slot) holding a PKCS#12 file's password."""
LABELS = {
    "ca_bundle": "CA bundle",
    "client_cert": "client certificate",
    "client_key": "client key",
    "pkcs12": "PKCS#12 file",
}
_HEAD = 1024 * 1024
"""How much of a certificate or key file is read to check what it holds."""


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """A CA bundle and a client certificate (PEM ``client_cert`` with ``client_key`` when the
    key is separate, or a ``pkcs12`` file); as written (maybe ``{{templated}}``) or resolved."""

    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    pkcs12: str | None = None

    def items(self) -> dict[str, str]:
        """The fields that are set, by key (``FIELDS`` order)."""
        found = {name: getattr(self, name) for name in FIELDS}
        return {name: value for name, value in found.items() if value}

    def variables(self) -> dict[str, str]:
        """The fields that are set as the reserved variables (``tls_client_cert`` ...)."""
        return {PREFIX + name: value for name, value in self.items().items()}

    @classmethod
    def from_variables(cls, values: Mapping[str, str]) -> TlsFiles:
        """The reserved variables among ``values`` (empty ones are unset)."""
        return cls(*(values.get(PREFIX + name) or None for name in FIELDS))

    @property
    def has_identity(self) -> bool:
        """Whether a client certificate is set (PEM or PKCS#12)."""
        return bool(self.client_cert or self.pkcs12)

    @property
    def shown(self) -> str:
        """The client certificate as the user named it (the PKCS#12 file once converted)."""
        return self.pkcs12 or self.client_cert or ""

    def problem(self) -> str | None:
        """Why these fields cannot go together, or None."""
        if self.pkcs12 and (self.client_cert or self.client_key):
            return "pkcs12 replaces client_cert and client_key; give one or the other"
        if self.client_key and not self.client_cert:
            return "client_key needs the client_cert it belongs to"
        return None

    def anchored(self, base: Path | None) -> TlsFiles:
        """Relative paths made absolute under ``base``; templated ones are left as written."""
        if base is None:
            return self
        return replace(self, **{k: _anchored(v, base) for k, v in self.items().items()})

    def fingerprint(self) -> str:
        """What identifies these files in a token manager's key (never a file's content)."""
        return "\0".join(f"{k}={v}" for k, v in self.items().items())


NO_TLS = TlsFiles()


@dataclass(frozen=True)
class OwnTls(Layer):
    """The TLS files the user saved for a provider environment (the window's TLS dialog, in
    ``environments/<provider>.yaml``): the user's own choice, so they may lie anywhere."""


@dataclass(frozen=True, slots=True)
class _Source:
    files: TlsFiles
    confined: bool


def _sources(scope: Scope, preset: TlsFiles, override: TlsFiles | None) -> Iterator[_Source]:
    if override is not None:
        yield _Source(override, False)
    for layer in scope.layers:
        found = TlsFiles.from_variables(layer.values)
        if found.items():
            yield _Source(found, not isinstance(layer, OwnTls))
    yield _Source(preset, False)


def chosen(
    scope: Scope, preset: TlsFiles = NO_TLS, override: TlsFiles | None = None
) -> tuple[TlsFiles, frozenset[str]]:
    """The TLS files that apply, as written, and the fields among them a saved request may only
    read inside its workspace; the order is the module's."""
    sources = list(_sources(scope, preset, override))
    trust = next((s for s in sources if s.files.ca_bundle), None)
    identity = next((s for s in sources if s.files.has_identity), None)
    files = TlsFiles(trust.files.ca_bundle if trust is not None else None)
    confined: set[str] = set()
    if trust is not None and trust.confined:
        confined.add("ca_bundle")
    if identity is not None:
        own = identity.files
        files = replace(files, client_cert=own.client_cert, client_key=own.client_key)
        files = replace(files, pkcs12=own.pkcs12)
        if identity.confined:
            confined |= {"client_cert", "client_key", "pkcs12"}
    return files, frozenset(confined)


def written(
    scope: Scope,
    *,
    preset: TlsFiles = NO_TLS,
    override: TlsFiles | None = None,
    base_dir: Path | None = None,
) -> TlsFiles:
    """The files that apply with ``{{variables}}`` expanded and relative paths made absolute
    under ``base_dir``, neither checked nor converted: what a snippet names (it runs later,
    elsewhere, where the files may be)."""
    raw, _confined = chosen(scope, preset, override)
    expanded = {k: expand(v, scope, f"TLS {LABELS[k]}") for k, v in raw.items().items()}
    return TlsFiles(**expanded).anchored(base_dir)


def resolve_tls(
    scope: Scope,
    *,
    preset: TlsFiles = NO_TLS,
    override: TlsFiles | None = None,
    base_dir: Path | None = None,
    files: FileAccess | None = None,
) -> TlsFiles:
    """The files a send presents and trusts: ``{{variables}}`` expanded, relative paths under
    ``base_dir`` (where the request's relative body files point), each one checked readable and
    holding what it should, those a saved request's scope named confined by ``files``, and a
    PKCS#12 file converted (``client_cert`` is then the PEM copy, ``pkcs12`` still the file)."""
    raw, confined = chosen(scope, preset, override)
    problem = raw.problem() or (override.problem() if override is not None else None)
    if problem is not None:
        raise InvalidRequest(f"The TLS settings cannot be used: {problem}.")
    concrete: dict[str, str] = {}
    for name, value in raw.items().items():
        path = _anchored_path(expand(value, scope, f"TLS {LABELS[name]}"), base_dir)
        if files is not None and name in confined:
            files.check(path)
        _check_readable(path, LABELS[name], folder_ok=name == "ca_bundle")
        concrete[name] = str(path)
    result = TlsFiles(**concrete)
    if result.pkcs12:
        password = _password(scope)
        return replace(result, client_cert=pem_from_pkcs12(Path(result.pkcs12), password))
    if result.client_cert:
        _check_pem(Path(result.client_cert), Path(result.client_key or result.client_cert))
    return result


def apply(request: ResolvedRequest, tls: TlsFiles) -> ResolvedRequest:
    """``request`` presenting and trusting ``tls`` (resolved); unchanged when nothing is set."""
    if not (tls.ca_bundle or tls.client_cert):
        return request
    return replace(
        request,
        ca_bundle=tls.ca_bundle or request.ca_bundle,
        client_cert=tls.client_cert or request.client_cert,
        client_key=tls.client_key if tls.client_cert else request.client_key,
    )


def _anchored(value: str, base: Path) -> str:
    if "{{" in value:
        return value
    path = Path(value).expanduser()
    return value if path.is_absolute() else str(base / path)


def _anchored_path(value: str, base: Path | None) -> Path:
    path = Path(value.strip()).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    return path.absolute()


def _check_readable(path: Path, label: str, *, folder_ok: bool) -> None:
    """One sentence when ``path`` is missing, a folder where a file is needed, or unreadable."""
    if not path.exists():
        raise InvalidRequest(f"The TLS {label} '{path}' does not exist; check the path.")
    if path.is_dir():
        if folder_ok:
            return
        raise InvalidRequest(f"The TLS {label} '{path}' is a folder; give the file itself.")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InvalidRequest(
            f"The TLS {label} '{path}' cannot be read ({exc.strerror}); check its permissions."
        ) from exc


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_HEAD)


def _check_pem(cert: Path, key: Path) -> None:
    """A PEM certificate and an unencrypted private key (OpenSSL would otherwise fail with a
    library message, or ask for an encrypted key's passphrase on the terminal)."""
    if b"-----BEGIN CERTIFICATE-----" not in _head(cert):
        raise InvalidRequest(
            f"The TLS client certificate '{cert}' holds no PEM certificate; give a PEM file "
            "(-----BEGIN CERTIFICATE-----), or a .p12/.pfx file as tls_pkcs12."
        )
    head = _head(key)
    if b"PRIVATE KEY-----" not in head:
        raise InvalidRequest(
            f"No private key was found in '{key}'; give the key file as the client key "
            "(tls_client_key)."
        )
    if b"ENCRYPTED" in head:
        raise InvalidRequest(
            f"The private key in '{key}' is encrypted with a passphrase; give an unencrypted "
            "key, or the certificate and key as a PKCS#12 file (tls_pkcs12) with its password "
            "stored as tls_password."
        )


def _password(scope: Scope) -> str | None:
    """The PKCS#12 password from the scope (the credential store's layers), or None."""
    found = scope.lookup(PASSWORD)
    if found is None:
        return None
    password = expand(found[0], scope, PASSWORD)
    remember([password])
    return password


_converted: dict[tuple[str, int, int, str], Path] = {}
_convert_lock = threading.Lock()


def pem_from_pkcs12(path: Path, password: str | None) -> str:
    """A PEM copy (key, certificate, chain) of the PKCS#12 file ``path``, made once per file
    version and password in this process; removed at exit."""
    stat = path.stat()
    digest = hashlib.sha256((password or "").encode()).hexdigest()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, digest)
    with _convert_lock:
        known = _converted.get(key)
        if known is not None and known.exists():
            return str(known)
        written = _write_private(_pkcs12_to_pem(path, password))
        if not _converted:
            atexit.register(_remove_converted)
        _converted[key] = written
        return str(written)


def _pkcs12_to_pem(path: Path, password: str | None) -> bytes:
    try:
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
            pkcs12,
        )
    except ImportError as exc:  # a dependency of Authlib, so present wherever OAuth2 works
        raise InvalidRequest(
            f"'{path.name}' is a PKCS#12 file, which needs the 'cryptography' package; install "
            "it, or give the certificate and key as PEM files (tls_client_cert, tls_client_key)."
        ) from exc
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            path.read_bytes(), password.encode() if password else None
        )
    except ValueError as exc:
        why = "wrong password" if password else "no password stored (tls_password)"
        raise InvalidRequest(
            f"The PKCS#12 file '{path}' could not be opened ({why}, or not a PKCS#12 file); "
            "store its password as tls_password."
        ) from exc
    if key is None or cert is None:
        raise InvalidRequest(
            f"The PKCS#12 file '{path}' holds no private key with its certificate; export both."
        )
    parts = [key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())]
    parts += [c.public_bytes(Encoding.PEM) for c in (cert, *chain)]
    return b"".join(parts)


def _write_private(pem: bytes) -> Path:
    """``pem`` in a new temp file only this user can read (``mkstemp``: mode 0600)."""
    from explorer.core.tempfiles import spill_files

    handle, path = spill_files().create()
    with handle:
        handle.write(pem)
    return path


def _remove_converted() -> None:
    with _convert_lock:
        for path in _converted.values():
            path.unlink(missing_ok=True)
        _converted.clear()


_REFUSALS = frozenset(
    {
        "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        "TLSV1_ALERT_UNKNOWN_CA",
        "TLSV1_ALERT_ACCESS_DENIED",
        "TLSV1_ALERT_DECRYPT_ERROR",
        "SSLV3_ALERT_BAD_CERTIFICATE",
        "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        "SSLV3_ALERT_CERTIFICATE_REVOKED",
        "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
    }
)
_CLOSED = "CLOSED"


def explain(error: TransportError, url: str, tls: TlsFiles) -> TransportError:
    """``error`` said as what it is when the server turned the client certificate down (an
    alert about it, or a hang-up right after it was sent: TLS 1.3 servers check it after the
    handshake), or wanted one that was not given; otherwise ``error`` itself."""
    reason = _handshake_reason(error) if isinstance(error, TLSError | ConnectError) else None
    host = urlsplit(url).netloc
    if reason is None:
        return error
    if tls.has_identity and (reason in _REFUSALS or reason == _CLOSED):
        said = "it hung up" if reason == _CLOSED else reason.lower().replace("_", " ")
        return TLSError(
            f"{host} refused the client certificate '{tls.shown}' ({said}); check that it is "
            "the certificate this server expects, issued by a CA it trusts and not expired."
        )
    if tls.has_identity or not isinstance(error, TLSError):
        return error
    if reason == "TLSV13_ALERT_CERTIFICATE_REQUIRED":
        said = "requires a client certificate; set one"
    elif reason == _CLOSED:
        said = "hung up during the TLS handshake; if it wants a client certificate, set one"
    else:
        return error
    return TLSError(
        f"{host} {said} for this environment or collection (TLS… beside the credentials, or "
        "the variable tls_client_cert)."
    )


def send_presenting(
    client: HttpClient,
    request: ResolvedRequest,
    tls: TlsFiles,
    *,
    auth: AuthBase | None = None,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    hop_policy: Callable[[str], None] | None = None,
    jar: CookieJar | None = None,
) -> Exchange:
    """``client.send`` of ``request`` (``apply``'d ``tls``, with the environment's cookie
    ``jar``), a server's refusal of the client certificate said as such (``explain``)."""
    try:
        return client.send(
            request,
            auth=auth,
            cancel=cancel,
            on_progress=on_progress,
            hop_policy=hop_policy,
            jar=jar,
        )
    except TransportError as exc:
        explained = explain(exc, request.url, tls)
        if explained is exc:
            raise
        raise explained from exc


def _handshake_reason(error: BaseException) -> str | None:
    """OpenSSL's reason for the TLS failure behind ``error``, ``CLOSED`` for a hang-up, or
    None when no TLS failure is behind it."""
    import ssl  # only once a TLS failure is explained: not on the window's start-up path

    todo: list[BaseException] = [error]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLEOFError | ConnectionResetError):
            return _CLOSED
        if isinstance(current, ssl.SSLError) and current.reason:
            return str(current.reason)
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None))
        todo.extend(x for x in (*linked, *current.args) if isinstance(x, BaseException))
    return None


def is_reserved(name: str) -> bool:
    """Whether ``name`` is one of the reserved TLS variables (the files, not the password)."""
    return name.startswith(PREFIX) and name.removeprefix(PREFIX) in FIELDS


def environment_values(values: Mapping[str, str], tls: TlsFiles) -> dict[str, str]:
    """A saved environment's ``values`` with its TLS files replaced by ``tls``."""
    kept = {k: v for k, v in values.items() if not is_reserved(k)}
    return {**kept, **tls.variables()}
