"""HttpTarget: our request builder, botocore's SigV4 signer, a keep-alive urllib3 pool.

The raw-HTTP adapter is the one that can put anything in front of a server:
invalid values the builder carries through, and arbitrary bytes via ``send_raw``.
It never retries (a retried write could be applied twice) and never raises for
what the server does. urllib3's pool manager is thread-safe, credentials are read
only, and each request gets its own signer: one instance serves many threads.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import urllib3
from botocore.credentials import Credentials
from botocore.httpsession import get_cert_path

from cogsync.contracts.calls import Call
from cogsync.errors import UsageError
from cogsync.targets.base import (
    CLIENT_REFUSED,
    Response,
    answered,
    describe_exception,
    lower_headers,
    unanswered,
    unreachable_reason,
)
from cogsync.targets.deadline import DEADLINE_PASSED, RequestDeadline
from cogsync.targets.sender import WireSender
from cogsync.targets.signing import resolve_credentials, signed_headers
from cogsync.targets.wire_request import (
    UnsendableCall,
    check_header_values,
    header_bytes,
)

PROBE_IDENTITY = "00000000-0000-0000-0000-000000000000"


def normalize_endpoint(endpoint_url: Any) -> str:
    """``http(s)://host[:port][/prefix]`` without a trailing slash, or UsageError."""
    allowed = "an http:// or https:// URL with a host, e.g. http://127.0.0.1:8000"
    if not isinstance(endpoint_url, str):
        raise UsageError.bad_argument("endpoint_url", endpoint_url, allowed)
    try:
        parts = urlsplit(endpoint_url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise UsageError.bad_argument("endpoint_url", endpoint_url, allowed) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise UsageError.bad_argument("endpoint_url", endpoint_url, allowed)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def check_region(region: Any) -> str:
    if (
        not isinstance(region, str)
        or not region
        or not all(c.isalnum() or c == "-" for c in region)
    ):
        raise UsageError.bad_argument("region", region, "an AWS region name such as us-east-1")
    return region


def check_timeout(timeout: Any) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise UsageError.bad_argument("timeout", timeout, "a number of seconds above 0")
    return float(timeout)


def probe_call(region: str) -> Call:
    """A read-only call every server can answer: ListDatasets of a made-up identity."""
    identity = f"{region}:{PROBE_IDENTITY}"
    return Call("ListDatasets", {"IdentityPoolId": identity, "IdentityId": identity})


class HttpTarget(RequestDeadline, WireSender):
    """Sends calls over HTTP(S) to ``endpoint_url``, SigV4-signed unless ``sign=False``.

    Each request waits at most ``timeout`` seconds to connect and for each read, and
    never past the deadline given to ``set_deadline`` (connect and read together).
    """

    supports_raw = True

    def __init__(
        self,
        endpoint_url: str,
        *,
        region: str = "us-east-1",
        credentials: Credentials | tuple[str, ...] | None = None,
        sign: bool = True,
        timeout: float = 10.0,
        max_connections: int = 32,
        knows_bound_key: bool = False,
    ) -> None:
        self.endpoint_url = normalize_endpoint(endpoint_url)
        self.name = self.endpoint_url
        self.region = check_region(region)
        self.timeout = check_timeout(timeout)
        self.sign = bool(sign)
        self.credentials = resolve_credentials(credentials) if self.sign else None
        self.knows_bound_key = bool(knows_bound_key)
        https = self.endpoint_url.startswith("https:")
        self._pool = urllib3.PoolManager(
            num_pools=2,
            maxsize=max_connections,
            retries=False,
            timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
            **({"ca_certs": get_cert_path(True)} if https else {}),
        )

    def __repr__(self) -> str:
        return f"HttpTarget({self.endpoint_url!r}, region={self.region!r}, sign={self.sign})"

    def with_credentials(self, access_key: str, secret: str) -> HttpTarget:
        """The same endpoint, signed with other credentials."""
        return HttpTarget(self.endpoint_url, region=self.region, credentials=(access_key, secret),
                          timeout=self.timeout)

    def _exchange(
        self,
        call: Call,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes | None,
        started: float,
    ) -> Response:
        url = self.endpoint_url + target
        try:
            if self.credentials is not None:
                headers = signed_headers(
                    method, url, headers, body, credentials=self.credentials, region=self.region
                )
            check_header_values(headers)
        except UnsendableCall as exc:
            return unanswered(call, f"{CLIENT_REFUSED}: {exc}", started)
        except Exception as exc:  # the signer refused: nothing was sent
            return unanswered(call, f"{CLIENT_REFUSED}: {describe_exception(exc)}", started)
        seconds = self.request_timeout()
        if seconds is None:
            return unanswered(call, DEADLINE_PASSED, started)
        capped = seconds < self.timeout
        try:
            answer = self._pool.urlopen(
                method,
                url,
                body=body,
                headers=header_bytes(headers),
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=True,
                timeout=urllib3.Timeout(connect=seconds, read=seconds, total=seconds if capped else None),
            )
        except urllib3.exceptions.NewConnectionError as exc:  # a ConnectTimeoutError subclass
            return unanswered(call, f"connection error: {describe_exception(exc)}", started)
        except urllib3.exceptions.TimeoutError as exc:
            return unanswered(call, f"timeout: {describe_exception(exc)}", started)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return unanswered(call, f"connection error: {describe_exception(exc)}", started)
        except Exception as exc:  # anything else urllib3 or http.client may throw
            return unanswered(call, f"connection error: {describe_exception(exc)}", started)
        return answered(
            call, answer.status, lower_headers(answer.headers.items()), answer.data, started
        )

    def probe(self) -> str | None:
        """None when the endpoint can be reached; else why not, in one line."""
        return unreachable_reason(self.send(probe_call(self.region)), self.endpoint_url)

    def close(self) -> None:
        self._pool.clear()

    def __enter__(self) -> HttpTarget:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
