"""Who may see staff pages: until sign-in exists (issue 7), only this machine.

Staff pages show data about incidents and the follow-up record, so they must not be open to
the world. Until accounts, roles and sessions are built, :func:`staff_only` serves them only to
requests that come from the loopback interface **and** name a loopback host (so a web page on
another site cannot reach them through a DNS name that resolves to 127.0.0.1), and refuses a
state-changing request that a browser says came from another origin (so another site cannot
post a form to them). Everyone else gets 403 in the JSON error shape. Sign-in will replace this
dependency; the routes that use it stay as they are.
"""

from __future__ import annotations

import ipaddress
from http import HTTPStatus
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request

STAFF_ONLY = (
    "staff pages need sign-in, which is not built yet; they are served to this machine only"
)
TEST_CLIENT = "testclient"
"""The client host Starlette's ``TestClient`` reports: a request made in-process."""
TEST_SERVER = "testserver"
"""The host name ``TestClient`` sends by default."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or host name) is this machine's loopback interface.

    ``127.0.0.0/8``, ``::1`` and IPv4-mapped ``::ffff:127.x.x.x`` are; so are the name
    ``localhost`` and the test client's in-process names.
    """
    if host is None:
        return False
    name = host.strip("[]").lower()
    if name in {"localhost", TEST_CLIENT, TEST_SERVER}:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def foreign_origin(request: Request) -> bool:
    """Whether a browser says this request comes from a page of another origin.

    Browsers send ``Origin`` on every cross-site POST and ``Sec-Fetch-Site`` on every request;
    clients that send neither (curl, scripts, the test client) are not browsers under attack.
    """
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


def staff_only(request: Request) -> None:
    """Refuse (403) any request not made on this machine, to this machine, by its own pages.

    Raises
    ------
    HTTPException
        403 with the message :data:`STAFF_ONLY`, rendered by the app's JSON error handler.
    """
    client = request.client.host if request.client else None
    host = urlsplit(f"//{request.headers.get('host', '')}").hostname
    allowed = is_loopback(client) and is_loopback(host)
    if allowed and request.method not in SAFE_METHODS:
        allowed = not foreign_origin(request)
    if not allowed:
        raise HTTPException(HTTPStatus.FORBIDDEN, STAFF_ONLY)


StaffOnly = Annotated[None, Depends(staff_only)]
