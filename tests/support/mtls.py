"""Mutual TLS on loopback for the TLS tests: a throwaway CA (trustme), files for a client
certificate it issued (PEM certificate and key, and the same as a password-protected PKCS#12),
one a stranger CA issued, and ``MtlsRecordingServer``: the ``RecordingServer`` (its ``/token``
endpoint included) over HTTPS, refusing any client without a certificate from the CA.

The server does the handshake in the request's thread (a refused client does not hold up the
accept loop); a refusal is the server's TLS alert or hang-up, as a real server gives it.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

from tests.support.recording import RecordingServer, TokenRules

__all__ = ["MtlsRecordingServer", "Pki", "make_pki"]

P12_PASSWORD = "p12-secret-pass"


@dataclass(frozen=True)
class Pki:
    """Files in ``folder``: the CA bundle, the client's certificate and key (issued by the CA),
    the same as PKCS#12 (``P12_PASSWORD``), and a stranger's certificate with its key in one."""

    ca: trustme.CA
    ca_bundle: Path
    cert: Path
    key: Path
    p12: Path
    stranger: Path
    p12_password: str = P12_PASSWORD


def make_pki(folder: Path) -> Pki:
    """A CA and the client files the tests present, written under ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        load_pem_private_key,
        pkcs12,
    )

    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    ca_bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    client = ca.issue_cert("client@example.test")
    cert, key = folder / "client.pem", folder / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert))
    client.private_key_pem.write_to_path(str(key))
    p12 = folder / "client.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"client",
            load_pem_private_key(client.private_key_pem.bytes(), None),  # type: ignore[arg-type]
            x509.load_pem_x509_certificate(client.cert_chain_pems[0].bytes()),
            None,
            BestAvailableEncryption(P12_PASSWORD.encode()),
        )
    )
    stranger = folder / "stranger.pem"
    trustme.CA().issue_cert("mallory@example.test").private_key_and_cert_chain_pem.write_to_path(
        str(stranger)
    )
    return Pki(ca, ca_bundle, cert, key, p12, stranger)


class MtlsRecordingServer(RecordingServer):
    """``RecordingServer`` over HTTPS for 127.0.0.1, requiring a client certificate from
    ``pki``'s CA; ``base_url`` is its ``https://`` address."""

    def __init__(self, pki: Pki, rules: TokenRules | None = None) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        pki.ca.issue_cert("127.0.0.1").configure_cert(context)
        pki.ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
        self._context = context
        super().__init__(rules)
        self.base_url = f"https://127.0.0.1:{self.port}"

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = self.socket.accept()
        wrapped = self._context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return wrapped, address
