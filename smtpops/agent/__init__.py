"""``smtpops agent``: one long-running process per CRM host that keeps each watched
environment's runtime in line with git (reconcile), tests the live config on a schedule
(probe), reads the relay's delivery log, and exports it all as Prometheus metrics, alerts
and the spec's tracking events.

Modules: :mod:`.settings` (what to watch), :mod:`.checkout` (the git clone it follows),
:mod:`.admission` (the merge-gate rule on what it is asked to apply), :mod:`.reconcile`,
:mod:`.prober`, :mod:`.maillog` (Postfix log lines), :mod:`.metrics`, :mod:`.alerts`
(conditions and the webhook notifier), :mod:`.server` (``/metrics``, ``/healthz``,
``/status``), :mod:`.runner` (the loop, signals).
"""
