"""The password of a config, decrypted in memory with the real sops (never written anywhere).

What is sent to a server comes from :func:`decrypt_for_sending`: decrypted, and only while
the binding sealed with it matches the file's server fields (host, port, tls, CA, username);
otherwise it raises, naming the field that changed and the ``smtpops secrets reseal`` that
seals it again. Render and the agent call it too (or :func:`check_binding` when they
decrypted some other way).
"""

from __future__ import annotations

from collections.abc import Callable

from smtpops.encryption import check_binding, decrypt_for_sending, decrypt_password
from smtpops.secret import Secret

__all__ = ["Decrypt", "check_binding", "decrypt_for_sending", "decrypt_password"]

Decrypt = Callable[[str], Secret]
"""How a use case gets a config's password from its path (the real one, for sending:
:func:`decrypt_for_sending`)."""
