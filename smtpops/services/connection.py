"""The connection test of one config or of many: validate → decrypt in memory → test.

This is the one place that sequence is written. ``smtpops test`` calls :func:`run_test` and
:func:`run_tests`; every activation (deploy, promote, rollback) passes :func:`gate`; the web
page and the agent call the same functions. How a test runs (DNS servers, timeouts, a real
test email, how many at once, whether it is logged) is one record, :class:`ConnectionTestOptions`.

The test log and the spec's events go to ``<repository>/.smtpops/`` (:attr:`Target.state_dir`).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from typing import Any

from smtpops import parse_cache, yamlio
from smtpops.diagnostics import Diagnostic
from smtpops.encryption.fields import secret_values
from smtpops.encryption.sops_format import looks_encrypted
from smtpops.errors import CheckFailed, InputError, SmtpopsError
from smtpops.gitops.gate import Gate
from smtpops.model import Config
from smtpops.probe import ProbeOptions, ProbeReport, prepare, run_probe
from smtpops.probe.batch import WORKERS, run_all
from smtpops.probe.resolve import configured_nameservers
from smtpops.records import record
from smtpops.services import decryption, validation
from smtpops.services.repository import Target
from smtpops.settings import Environment

__all__ = [
    "ConnectionTestOptions",
    "ConnectionTestResult",
    "Gate",
    "TestFailed",
    "ValidationFailed",
    "gate",
    "probe_options",
    "run_test",
    "run_tests",
    "validation_lines",
]

Nameservers = tuple[tuple[str, int], ...]


@record(frozen=True, kw_only=True)
class ConnectionTestOptions:
    """How connection tests run, beyond what each config says.

    ``nameservers``: the DNS servers to ask as ``(ip, port)``; None takes ``$SMTPOPS_DNS``,
    else the hosts file and the system's resolver (parse user input with
    :func:`smtpops.probe.resolve.configured_nameservers`, which raises UsageError).
    ``wait_timeout`` overrides each config's per-command timeout (seconds);
    ``total_timeout`` caps the whole test (None: the probe's default, 60 s).
    ``send_to``: also send a real test email to this address (None: a dry run only).
    ``concurrency``: how many configs :func:`run_tests` tests at once.
    ``log``: record each attempt in the repository's test log and events.
    ``alternative_ports``: the ports suggested when the configured one does not answer
    (None: the probe's default).
    """

    nameservers: Nameservers | None = None
    wait_timeout: float | None = None
    total_timeout: float | None = None
    send_to: str | None = None
    concurrency: int = WORKERS
    log: bool = True
    alternative_ports: tuple[int, ...] | None = None


@record(frozen=True, kw_only=True)
class ConnectionTestResult:
    """One config of a :func:`run_tests` run: its report, or why it was not tested.

    ``validation`` holds the validation errors that kept it from being tested; ``error`` the
    message of any other reason (e.g. a password that cannot be decrypted).
    """

    target: Target
    report: ProbeReport | None = None
    validation: tuple[Diagnostic, ...] = ()
    error: str | None = None

    @property
    def tested(self) -> bool:
        return self.report is not None

    @property
    def passed(self) -> bool:
        return self.report is not None and self.report.passed

    @property
    def problems(self) -> tuple[str, ...]:
        """Why it was not tested, as printable lines (empty when it was)."""
        return (*validation_lines(self.validation), *((self.error,) if self.error else ()))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one config in ``smtpops test --env ENV --format json``."""
        if self.report is not None:
            return self.report.to_dict()
        return {
            "config": self.target.label,
            "environment": self.target.environment.name if self.target.environment else None,
            "passed": False,
            "tested": False,
            "errors": list(self.problems),
        }


class ValidationFailed(CheckFailed):
    """The config has validation errors, so it was not tested (and nothing was changed)."""

    def __init__(self, message: str, *, hint: str | None, diagnostics: tuple[Diagnostic, ...]):
        super().__init__(message, hint=hint)
        self.diagnostics = diagnostics


class TestFailed(CheckFailed):
    """The connection test of an activation failed; nothing was changed."""

    __test__ = False  # not a pytest test class

    def __init__(self, message: str, *, hint: str | None, report: ProbeReport) -> None:
        super().__init__(message, hint=hint)
        self.report = report


def validation_lines(diagnostics: Sequence[Diagnostic]) -> tuple[str, ...]:
    """Validation errors as lines a person reads, each with its fix (all of them, in order)."""
    return tuple(
        f"{d.location}: {d.rule_id} {d.message}\n    How to fix: {d.hint}" for d in diagnostics
    )


def probe_options(target: Target, options: ConnectionTestOptions) -> ProbeOptions:
    """The probe's options for testing ``target``: the one place DNS servers, timeouts, the
    base folder for a relative ``ca_file`` and the test-log folder are decided."""
    servers = options.nameservers
    if servers is None:
        servers = configured_nameservers(())
    extra: dict[str, Any] = {}
    if options.alternative_ports is not None:
        extra["alternative_ports"] = options.alternative_ports
    if options.total_timeout is not None:
        extra["total_timeout"] = options.total_timeout
    return ProbeOptions(
        nameservers=tuple(
            f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}" for ip, port in servers
        ),
        wait_timeout=options.wait_timeout,
        base_dir=target.root,
        log_dir=target.state_dir if options.log else None,
        label=target.label,
        **extra,
    )


def _load(path: str) -> Config:
    """The model of a config that passed validation; its parsed copy is kept
    (:func:`smtpops.parse_cache.keep`) when every secret in it is encrypted."""
    try:
        document = yamlio.load_path(path)
    except (OSError, yamlio.LoadError) as exc:  # validation reports these first
        raise InputError(f"{path}: cannot be read ({exc})") from None
    data = document.data if isinstance(document.data, dict) else {}
    if all(looks_encrypted(value) for _, value in secret_values(data)):
        parse_cache.keep(document)  # a plaintext secret is never copied anywhere
    return Config.from_raw(data)


def run_test(
    target: Target,
    options: ConnectionTestOptions = ConnectionTestOptions(),
    *,
    password: decryption.Credential | None = None,
    decrypt: decryption.Decrypt = decryption.decrypt_credentials,
) -> ProbeReport:
    """Validate ``target``, decrypt its password in memory and test it against its server.

    ``password`` given (e.g. read from standard input) is used instead of decrypting. Raises
    :class:`ValidationFailed` (nothing was tried), InputError for a file that cannot be read,
    EncryptionError when the password cannot be decrypted. A server problem does not raise:
    the report says which step failed and why.
    """
    # sops takes longer than validation (a process start and an age decryption): run it
    # meanwhile, and while the probe's steps load; its answer (or its error) is used only
    # once the config passed validation
    early = _Early(lambda: decrypt(target.path)) if password is None else None
    try:
        # a test that is logged writes .smtpops/ anyway: its validation may use the cache
        errors = validation.errors_before_test(target.path, cache=options.log)
    except BaseException:
        if early is not None:
            early.discard()
        raise
    if errors:
        if early is not None:
            early.discard()
        raise ValidationFailed(
            f"{target.path} has validation errors; it was not tested:\n"
            + "\n".join(validation_lines(errors)),
            hint=f"Fix them (smtpops validate {target.path}), then test again.",
            diagnostics=errors,
        )
    return _test_valid(target, options, password, decrypt, early)


class _Early:
    """A password (or OAuth2 secret parts) decrypted in a background thread; :meth:`result`
    waits for it."""

    def __init__(self, work: Callable[[], decryption.Credential]) -> None:
        self._work = work
        self._value: decryption.Credential | None = None
        self._error: BaseException | None = None
        # the caller's context: a sops run started ahead for this file (encryption.runner)
        self._context = contextvars.copy_context()
        self._thread = threading.Thread(target=self._run, name="smtpops-decrypt", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._context.run(self._work)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> decryption.Credential:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value

    def discard(self) -> None:
        """Not needed after all: wait for sops to end (no stray process), drop the answer."""
        self._thread.join()
        self._value = self._error = None


def _test_valid(
    target: Target,
    options: ConnectionTestOptions,
    password: decryption.Credential | None,
    decrypt: decryption.Decrypt,
    early: _Early | None = None,
) -> ProbeReport:
    config = _load(target.path)
    prepare()  # the probe's steps load (CPU only, no network) while sops decrypts
    if password is None and (config.password or config.uses_token):
        # an OAuth2 config decrypts the oauth block's secret parts instead of a password;
        # nothing connects before it is decrypted and its seal checked
        password = early.result() if early is not None else decrypt(target.path)
    elif early is not None:
        early.discard()
    return run_probe(
        config,
        password,
        environment=target.environment,
        send_to=options.send_to,
        options=probe_options(target, options),
    )


def run_tests(
    targets: Sequence[Target],
    options: ConnectionTestOptions = ConnectionTestOptions(),
    *,
    password: decryption.Credential | None = None,
    decrypt: decryption.Decrypt = decryption.decrypt_credentials,
    on_done: Callable[[int, ConnectionTestResult], None] | None = None,
) -> tuple[ConnectionTestResult, ...]:
    """Test several configs, ``options.concurrency`` at a time; results in the order given.

    Every config is validated first; a file that cannot be read at all raises InputError
    before any test starts. After that nothing raises: a config that cannot be tested (its
    validation errors, a password that cannot be decrypted) gets a result saying why.
    ``on_done(index, result)`` runs in the calling thread as each one ends (for progress).
    """
    checked = [(t, validation.errors_before_test(t.path)) for t in targets]

    def job(target: Target, errors: tuple[Diagnostic, ...]) -> Callable[[], ConnectionTestResult]:
        def one() -> ConnectionTestResult:
            if errors:
                return ConnectionTestResult(target=target, validation=errors)
            try:
                report = _test_valid(target, options, password, decrypt)
            except SmtpopsError as exc:
                return ConnectionTestResult(target=target, error=exc.message)
            return ConnectionTestResult(target=target, report=report)

        return one

    jobs = [job(t, e) for t, e in checked]
    return tuple(run_all(jobs, on_done=on_done, workers=options.concurrency))


def gate(
    options: ConnectionTestOptions = ConnectionTestOptions(),
    *,
    decrypt: decryption.Decrypt = decryption.decrypt_credentials,
) -> Gate:
    """The gate every activation passes: :func:`run_test` on the file as it will be committed;
    validation errors raise :class:`ValidationFailed`, a failed test :class:`TestFailed`."""

    def check(root: str, path: str, label: str, env: Environment) -> ProbeReport:
        target = Target(path=path, label=label, environment=env, root=root)
        try:
            report = run_test(target, options, decrypt=decrypt)
        except ValidationFailed as exc:
            raise ValidationFailed(
                f"{label} has {len(exc.diagnostics)} validation error(s); nothing was changed:\n"
                + "\n".join(validation_lines(exc.diagnostics)),
                hint=f"Fix them (smtpops validate {path}), then run the command again.",
                diagnostics=exc.diagnostics,
            ) from None
        if not report.passed:
            failure = report.failure
            raise TestFailed(
                f"the connection test of {label} failed, so nothing was changed: {report.summary}",
                hint=(failure.hint if failure else None)
                or f"Run `smtpops test {label}` for details.",
                report=report,
            )
        return report

    return check
