"""Git as the deploy mechanism and the audit trail.

``deploy`` / ``promote`` / ``rollback`` run one gated change each (:mod:`.change`): lock the
environment, validate, run the live connection test, switch ``active:``, commit with
machine-readable trailers (:mod:`.trailers`) — all or nothing (:mod:`.transaction`).
``status`` and ``history`` read the trail back. gitpython is imported only inside
:func:`smtpops.gitops.repo.open_repo`.
"""
