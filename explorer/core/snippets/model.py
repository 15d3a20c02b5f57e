"""The language-neutral shape of a snippet: what every target renders, nothing it computes.

``build`` turns a ``RequestSpec`` into a ``SnippetRequest`` once; each target only renders it.
Strings are ``Text``: literal pieces and ``Ref``s to variables the snippet declares at its top
(a kept ``{{variable}}``, or a secret read from an environment variable), so no target decides on
its own what is secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Ref:
    """A use of the declared variable ``ident`` (see ``Var``)."""

    ident: str


Part = str | Ref


@dataclass(frozen=True, slots=True)
class Text:
    """A string made of literal pieces and variable references, concatenated at run time."""

    parts: tuple[Part, ...] = ()

    @staticmethod
    def of(*parts: Part) -> Text:
        merged: list[Part] = []
        for part in parts:
            if part == "":
                continue
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        return Text(tuple(merged))

    def __add__(self, other: Text) -> Text:
        return Text.of(*self.parts, *other.parts)

    @property
    def literal(self) -> str | None:
        """The whole string when it holds no reference, else None."""
        if not self.parts:
            return ""
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return self.parts[0]
        return None


@dataclass(frozen=True, slots=True)
class Var:
    """A variable declared at the top of a snippet.

    ``env`` set: read from that environment variable (a secret, or a credential the snippet must
    not contain); ``hint`` says how to obtain it. ``runtime`` ones are bound by the snippet's own
    code (the token a full-flow snippet fetches). Otherwise ``value`` is its literal value (a kept
    ``{{variable}}``)."""

    ident: str
    value: Text = field(default_factory=Text)
    env: str | None = None
    hint: str = ""
    secret: bool = False
    runtime: bool = False
    optional: bool = False


@dataclass(frozen=True, slots=True)
class FormPart:
    """One form or multipart field; for a file part ``value`` is the file path."""

    name: Text
    value: Text
    is_file: bool = False
    filename: str = ""
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class SnippetBody:
    """``kind`` is ``text`` (JSON and raw), ``form``, ``multipart`` or ``file``."""

    kind: str
    text: Text = field(default_factory=Text)
    parts: tuple[FormPart, ...] = ()
    path: str = ""


@dataclass(frozen=True, slots=True)
class BasicAuth:
    """A user name and password: HTTP Basic, or Digest (``SnippetRequest.digest``)."""

    username: Text
    password: Text


@dataclass(frozen=True, slots=True)
class AwsSigV4:
    """AWS Signature V4 as the target's own signer applies it (curl ``--aws-sigv4``,
    ``requests-aws4auth``); ``session_token`` for temporary credentials."""

    access_key: Text
    secret_key: Text
    region: Text
    service: Text
    session_token: Text | None = None


@dataclass(frozen=True, slots=True)
class TokenFlow:
    """The provider's token grant, performed by the snippet itself (``--flow``).

    ``fields`` are the grant's parameters (form- or JSON-encoded per ``encoding``);
    ``refresh_fields`` the refresh grant's, with the refresh token added at run time; ``client``
    is set when the client authenticates with HTTP Basic instead of body fields."""

    provider: str
    grant: str
    token_url: Text
    encoding: str
    fields: tuple[tuple[str, Text], ...]
    refresh_fields: tuple[tuple[str, Text], ...]
    headers: tuple[tuple[str, Text], ...] = ()
    client: BasicAuth | None = None
    header: str = "Authorization"
    scheme: str = "Bearer"


@dataclass(frozen=True, slots=True)
class SnippetProxy:
    """The proxy a send of the request goes through (``Network.route``): ``url`` without its
    user, ``username`` and ``password`` (a ``Ref`` to an environment variable unless revealed).
    An empty ``url`` means direct: the settings keep this host off the process environment's
    proxy."""

    url: str = ""
    username: str = ""
    password: Text | None = None

    @property
    def address(self) -> str:
        """``host:port`` of the proxy, for notes (never its user)."""
        return self.url.split("://", 1)[-1].rstrip("/")


#: The identifier full-flow snippets bind the fetched access token to.
ACCESS_TOKEN = "access_token"  # noqa: S105 - a variable name, not a secret


@dataclass(frozen=True, slots=True)
class SnippetRequest:
    """Everything a target needs. ``headers`` are merged like ``HttpClient`` merges them (one
    line per name, repeats joined with ", "), in first-use order."""

    method: str
    url: Text
    params: tuple[tuple[Text, Text], ...] = ()
    headers: tuple[tuple[str, Text], ...] = ()
    body: SnippetBody | None = None
    basic: BasicAuth | None = None
    digest: BasicAuth | None = None
    aws: AwsSigV4 | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    follow_redirects: bool = True
    max_redirects: int = 10
    verify_tls: bool = True
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    pkcs12: str | None = None
    proxy: SnippetProxy | None = None
    variables: tuple[Var, ...] = ()
    notes: tuple[str, ...] = ()
    flow: TokenFlow | None = None
    secrets: frozenset[str] = frozenset()

    def var(self, ident: str) -> Var:
        for var in self.variables:
            if var.ident == ident:
                return var
        raise KeyError(ident)

    @property
    def schemes(self) -> frozenset[str]:
        """The auth schemes a target must implement itself (``digest``, ``aws-sigv4``)."""
        found = {"digest"} if self.digest is not None else set()
        if self.aws is not None:
            found.add("aws-sigv4")
        return frozenset(found)

    @property
    def env_vars(self) -> tuple[Var, ...]:
        return tuple(v for v in self.variables if v.env is not None)

    @property
    def needs_files(self) -> bool:
        body = self.body
        if body is None:
            return False
        return body.kind == "file" or any(p.is_file for p in body.parts)
