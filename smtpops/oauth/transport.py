"""The HTTPS session every token request goes through (msal's ``http_client``, google-auth's
Requests transport, the generic POST): one timeout, and the token endpoint's CA when the
config names one (``oauth.ca_file``). Certificates are always verified."""

from __future__ import annotations

import os
from typing import Any


def session(ca_file: str | None, timeout: float, base_dir: str | None = None) -> Any:
    """A ``requests.Session``; ``ca_file`` is relative to ``base_dir`` (the repository root)."""
    # lazy: requests loads only where a token is requested
    import requests

    verify: str | bool = True
    if ca_file:
        verify = ca_file if os.path.isabs(ca_file) else os.path.join(base_dir or ".", ca_file)

    class _Session(requests.Session):
        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", timeout)
            kwargs["verify"] = verify  # the CA file, else the default bundle; never off
            return super().request(method, url, *args, **kwargs)

    return _Session()
