"""Use cases: one function per thing a user does, called by the CLI, the web page and the agent.

One module per use case; each takes typed options and returns typed, immutable results, and
knows nothing of click or HTTP (the callers parse and print):

- :mod:`smtpops.services.repository` — find a repository and name the configs to act on;
- :mod:`smtpops.services.validation` — validate files, folders or the whole ``configs/`` tree;
- :mod:`smtpops.services.decryption` — the password of a config, decrypted in memory;
- :mod:`smtpops.services.connection` — the connection test of one config or of many, and the
  gate every activation passes (the one place "validate → decrypt → test" is written);
- :mod:`smtpops.services.deploy` — deploy, promote and rollback, each gated by that test;
- :mod:`smtpops.services.review` — what a branch changes, with the findings it introduces;
- :mod:`smtpops.services.secret_check` — ``secrets check``: keyless checks, then real
  decryption with the keys at hand.

Layering (ARCHITECTURE.md, tests/test_architecture.py): services import the core, never the
CLI, click or a web framework; the core never imports services.
"""
