"""CRED: the password is encrypted with sops, for the right keys, and no credential is elsewhere.

All checks here are keyless: they read the ``ENC[...]`` value, the ``sops:`` block and the
repository's ``.sops.yaml``, so they run in pull requests, forks and pre-commit. Decrypting
(with a key) is ``smtpops secrets check``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from smtpops.diagnostics import Severity
from smtpops.encryption import leaks, scan, sops_config
from smtpops.encryption.fields import encrypted_paths, has_encrypted_secret, label, secret_values
from smtpops.encryption.sops_format import Metadata, looks_encrypted, parse_enc, read_metadata
from smtpops.errors import InputError
from smtpops.oauth.flows import SECRET_FIELDS as OAUTH_SECRETS
from smtpops.rules.context import ConfigContext, RepoContext
from smtpops.rules.examples import BASE, OAUTH_BASE, OAUTH_SECRET_LINE, oauth_example
from smtpops.rules.registry import Example, Hit, rule

_E, _W = Severity.ERROR, Severity.WARNING
# the throw-away keys BASE and OAUTH_BASE were encrypted for (their first sops recipient)
BASE_KEY = BASE.split("- recipient: ", 1)[1].split("\n", 1)[0]
OAUTH_KEY = OAUTH_BASE.split("- recipient: ", 1)[1].split("\n", 1)[0]
OTHER_KEY = (
    "age1sz0uhtdgn82l48ype29es59jn4updch0ecg656tz2n824d8ynyssc6qthe"  # private key discarded
)
SET = "smtpops secrets set-password"
SET_OAUTH = "smtpops secrets set-oauth"
_T = TypeVar("_T")


_PLAIN_HINT = (
    f"Run `{SET} {{path}}`: it asks for the password and stores it encrypted. The plain "
    "text stays in the git history, so also change the password at your provider."
)


def _sops_yaml(
    env: str, *recipients: str, regex: str = sops_config.ENCRYPTED_REGEX
) -> dict[str, str]:
    keys = "".join(f"      - {r}\n" for r in recipients)
    text = (
        f"creation_rules:\n  - path_regex: ^configs/{env}/\n    encrypted_regex: {regex}\n"
        f"    mac_only_encrypted: true\n    age:\n{keys}"
    )
    return {".sops.yaml": text}


def _with_second_recipient(recipient: str) -> str:
    start = BASE.index("    - recipient:")
    end = BASE.index("  lastmodified:")
    entry = BASE[start:end].replace(BASE_KEY, recipient)
    return BASE[:end] + entry + BASE[end:]


_memo: dict[str, Any] = {}


def _memoised(ctx: ConfigContext, name: str, compute: Callable[[], _T]) -> _T:
    """Several CRED rules need the same facts about one file: compute them once per file."""
    if _memo.get("\0ctx") is not ctx:
        _memo.clear()
        _memo["\0ctx"] = ctx
    if name not in _memo:
        _memo[name] = compute()
    return cast(_T, _memo[name])


def _block(ctx: ConfigContext) -> Metadata | None:
    """The file's sops block as read without a key (None when it has none)."""
    if "sops" not in ctx.raw:
        return None
    return _memoised(ctx, "metadata", lambda: read_metadata(ctx.raw["sops"]))


def _metadata(ctx: ConfigContext) -> Metadata | None:
    """The sops block of a file whose password (or an OAuth secret) is encrypted."""
    return _block(ctx) if has_encrypted_secret(ctx.raw) else None


def _what(ctx: ConfigContext) -> str:
    """How messages name the file's secrets."""
    paths = encrypted_paths(ctx.raw)
    if paths and all(p[0] == "oauth" for p in paths):
        return "the OAuth secrets"
    return "the password"


def _setter(ctx: ConfigContext) -> str:
    return SET_OAUTH if ctx.config.uses_token else SET


def _creation_rule(ctx: ConfigContext) -> tuple[str, sops_config.CreationRule | None] | None:
    """(environment, its rule) when the repository has a .sops.yaml; None without one."""
    return _memoised(ctx, "rule", lambda: _find_rule(ctx))


def _find_rule(ctx: ConfigContext) -> tuple[str, sops_config.CreationRule | None] | None:
    if not ctx.repo_root:
        return None
    path = os.path.join(ctx.repo_root, sops_config.FILE_NAME)
    if not os.path.isfile(path):
        return None
    env = ctx.environment.name if ctx.environment else "this folder"
    try:
        return env, sops_config.load(path).rule_for(ctx.path)
    except (InputError, OSError):
        return env, None


@rule(
    id="CRED002",
    name="password-plaintext",
    severity=_E,
    security=True,
    message="the password is stored in plain text",
    hint=_PLAIN_HINT.format(path="<file>"),
    why="Anyone who can read the repository, its forks or its CI logs could read a plain password; "
    "the spec requires it to be encrypted in storage.",
    bad=Example(yaml="password: Summer-2024!\n"),
    good=Example(yaml="host: smtp.example.com\n"),
    references=("https://getsops.io/docs/",),
)
def password_plaintext(ctx: ConfigContext) -> Iterator[Hit]:
    """The password must be an ENC[...] value written by sops (an empty one is CRED001)."""
    value = ctx.raw.get("password")
    if value is None or value == "" or looks_encrypted(value):
        return
    yield Hit(field=("password",), hint=_PLAIN_HINT.format(path=ctx.path))


@rule(
    id="CRED003",
    name="encrypted-value-damaged",
    severity=_E,
    message="the encrypted password is damaged",
    hint=f"Do not edit the password by hand. Restore the file from git, or run `{SET} <file>`.",
    why="A value that is not exactly what sops wrote cannot be decrypted when the CRM needs it.",
    bad=Example(yaml="password: ENC[AES256_GCM,data:abc,iv:xyz]\n"),
    good=Example(yaml="host: smtp.example.com\n"),
)
def encrypted_value_damaged(ctx: ConfigContext) -> Iterator[Hit]:
    """Every ENC[...] secret (password, OAuth secret parts) has all its parts, in base64, of the
    right sizes, of type str."""
    for path, value in secret_values(ctx.raw):
        if not looks_encrypted(value):
            continue
        name = "password" if path == ("password",) else label(path)
        parsed = parse_enc(str(value))
        if isinstance(parsed, str):
            yield Hit(field=path, message=f"the encrypted {name} is damaged: {parsed}")
        elif parsed.type != "str":
            yield Hit(
                field=path,
                message=f"the encrypted {name} is of type '{parsed.type}', not text (str)",
            )


@rule(
    id="CRED004",
    name="sops-section-missing",
    severity=_E,
    message="the password is encrypted but the file's sops section (keys, checksum) is missing",
    hint=f"Restore the sops: section from git (`git checkout -- <file>`), or run `{SET} <file>`.",
    why="Without the sops section nobody can decrypt the password or detect tampering.",
    bad=Example(yaml="sops: null\n"),
    good=Example(yaml="host: smtp.example.com\n"),
)
def sops_section_missing(ctx: ConfigContext) -> Iterator[Hit]:
    """An encrypted password (or OAuth secret) needs the sops metadata next to it."""
    paths = encrypted_paths(ctx.raw)
    if paths and "sops" not in ctx.raw:
        yield Hit(
            field=paths[0],
            message=f"{_what(ctx)} {'is' if len(paths) == 1 else 'are'} encrypted but the "
            "file's sops section (keys, checksum) is missing",
        )


@rule(
    id="CRED005",
    name="sops-section-damaged",
    severity=_E,
    message="the file's sops section is damaged",
    hint=f"Never edit the sops: section by hand. Restore it from git, or run `{SET} <file>`.",
    why="sops needs its keys, checksum (mac), date and version to decrypt and to detect tampering.",
    bad=Example(yaml="sops:\n  version: 3.11.0\n"),
    good=Example(yaml="host: smtp.example.com\n"),
)
def sops_section_damaged(ctx: ConfigContext) -> Iterator[Hit]:
    """The sops block has well-formed age keys, mac, lastmodified and version, and its
    encrypted_regex covers the password."""
    meta = _block(ctx)
    if meta is None:
        return
    for sub, reason in meta.problems:
        field = tuple(int(p) if p.isdigit() else p for p in sub.split(".") if p)
        yield Hit(field=("sops", *field), message=f"the file's sops section is damaged: {reason}")
    regex = meta.encrypted_regex
    names = [p[-1] for p, _ in secret_values(ctx.raw)] or ["password"]
    uncovered = [n for n in names if not sops_config.covers(regex, n)]
    if regex is not None and uncovered:
        yield Hit(
            field=("sops", "encrypted_regex"),
            message=f"the sops section says {', '.join(uncovered)} is not to be encrypted "
            f"(encrypted_regex '{regex[:60]}' does not match '{uncovered[0]}')",
        )


def _recipient_sets(ctx: ConfigContext) -> tuple[str, set[str], set[str], str] | None:
    meta = _metadata(ctx)
    found = _creation_rule(ctx)
    if meta is None or not meta.recipients or found is None:
        return None
    env, creation = found
    if creation is None or not creation.recipients:
        return None
    return env, set(meta.recipients), set(creation.recipients), sops_config.FILE_NAME


@rule(
    id="CRED006",
    name="wrong-environment-keys",
    severity=_E,
    security=True,
    message="the password is encrypted for the wrong environment: none of its keys are this "
    "environment's keys in .sops.yaml",
    hint=f"Enter this environment's password with `{SET} <file>`; it encrypts for the keys "
    ".sops.yaml lists for the file's folder (no private key needed).",
    why="A password encrypted with another environment's keys can be read by that environment's "
    "people and CI (e.g. staging reading production), and not by this environment's.",
    bad=Example(yaml="host: smtp.example.com\n", repo_files=_sops_yaml("development", OTHER_KEY)),
    good=Example(yaml="host: smtp.example.com\n", repo_files=_sops_yaml("development", BASE_KEY)),
)
def wrong_environment_keys(ctx: ConfigContext) -> Iterator[Hit]:
    """The file's age recipients overlap the .sops.yaml rule for its path."""
    sets = _recipient_sets(ctx)
    if sets is None:
        return
    env, actual, expected, _ = sets
    if actual & expected:
        return
    others = _owners(ctx, actual)
    where = f"the {' and '.join(others)} keys" if others else "keys .sops.yaml does not list here"
    yield Hit(
        field=("sops", "age"),
        message=f"{_what(ctx)} encrypted for the wrong environment: for {where}, "
        f"not for the keys of {env}",
        hint=f"Enter {env}'s secret with `{_setter(ctx)} {ctx.path}` (it encrypts for {env}'s "
        "keys; no private key needed).",
    )


def _owners(ctx: ConfigContext, actual: set[str]) -> list[str]:
    assert ctx.repo_root
    config = sops_config.load(os.path.join(ctx.repo_root, sops_config.FILE_NAME))
    return [
        r.environment or f"rule {r.index + 1}" for r in config.rules if actual & set(r.recipients)
    ]


@rule(
    id="CRED007",
    name="removed-key-can-decrypt",
    severity=_E,
    security=True,
    message="the password can still be decrypted with keys that .sops.yaml no longer lists",
    hint="Run `smtpops secrets rotate <file>` (needs a key of this environment); if the removed "
    "person could read the password, change it at the provider and run "
    "`smtpops secrets set-password`.",
    why="When someone leaves, their key must stop opening the passwords; until the file is "
    "re-encrypted it still does.",
    bad=Example(
        yaml=_with_second_recipient(OTHER_KEY),
        whole_file=True,
        repo_files=_sops_yaml("development", BASE_KEY),
    ),
    good=Example(yaml="host: smtp.example.com\n", repo_files=_sops_yaml("development", BASE_KEY)),
)
def removed_key_can_decrypt(ctx: ConfigContext) -> Iterator[Hit]:
    """No recipient of the file is missing from the .sops.yaml rule for its path."""
    sets = _recipient_sets(ctx)
    if sets is None:
        return
    env, actual, expected, _ = sets
    extra = actual - expected
    if extra and actual & expected:
        yield Hit(
            field=("sops", "age"),
            message=f"{_what(ctx)} can still be decrypted with {len(extra)} key(s) that "
            f".sops.yaml no longer lists for {env}",
            hint=f"Run `smtpops secrets rotate {ctx.path}` (needs a key of {env}); if the "
            "removed person could read it, also change the password at the provider.",
        )


@rule(
    id="CRED008",
    name="new-key-missing",
    severity=_W,
    message="keys that .sops.yaml lists for this environment cannot decrypt the password yet",
    hint="Run `smtpops secrets updatekeys` (needs a key of this environment).",
    why="A person or CI job added to .sops.yaml cannot read the password until the file is "
    "re-encrypted for them.",
    bad=Example(
        yaml="host: smtp.example.com\n", repo_files=_sops_yaml("development", BASE_KEY, OTHER_KEY)
    ),
    good=Example(yaml="host: smtp.example.com\n", repo_files=_sops_yaml("development", BASE_KEY)),
)
def new_key_missing(ctx: ConfigContext) -> Iterator[Hit]:
    """Every recipient of the .sops.yaml rule can decrypt the file."""
    sets = _recipient_sets(ctx)
    if sets is None:
        return
    env, actual, expected, _ = sets
    missing = expected - actual
    if missing and actual & expected:
        yield Hit(
            field=("sops", "age"),
            message=f"{len(missing)} key(s) that .sops.yaml lists for {env} cannot "
            f"decrypt {_what(ctx)} yet",
            hint=f"Run `smtpops secrets updatekeys {ctx.path}` (needs a key of {env}).",
        )


@rule(
    id="CRED009",
    name="no-sops-rule",
    severity=_W,
    message="no rule in .sops.yaml covers this file's folder",
    hint="Make the environment's key and rule: `smtpops keys init --env ENV`.",
    why="Without a rule nobody can check whose keys may read this password, and "
    "`smtpops secrets set-password` cannot encrypt it.",
    bad=Example(yaml="host: smtp.example.com\n", repo_files=_sops_yaml("production", BASE_KEY)),
    good=Example(yaml="host: smtp.example.com\n", repo_files=_sops_yaml("development", BASE_KEY)),
)
def no_sops_rule(ctx: ConfigContext) -> Iterator[Hit]:
    """When the repository has a .sops.yaml, one of its rules (with age keys) covers the file."""
    found = _creation_rule(ctx)
    paths = encrypted_paths(ctx.raw)
    if found is None or not paths:
        return
    env, creation = found
    if creation is None or not creation.recipients:
        yield Hit(
            field=paths[0],
            message=f"no rule with age keys in .sops.yaml covers this file ({env})",
            hint=f"Make the key and rule: `smtpops keys init --env {env}`.",
        )


_FAKE_AGE_KEY = "AGE-SECRET-KEY-1" + "Q" * 58  # built here so the repo holds no key-shaped text


def _guarded_lines(ctx: ConfigContext) -> list[tuple[int, int]]:
    """Line ranges [first, end) of the secret values and the sops block: ciphertext (or, when
    plain, reported by CRED002/CRED013), not to be pattern-matched."""
    keys = ctx.doc.keys
    ranges: list[tuple[int, int]] = []
    for key in ("password", "sops"):
        mark = keys.get((key,))
        if mark:
            ranges.append((mark.line, mark.line + 1))
    end = ctx.doc.text.count("\n") + 2
    values = secret_values(ctx.raw)
    if values:
        starts = sorted(m.line for m in keys.values())
        for path, _ in values:
            mark = keys.get(path)
            if mark:  # a multi-line value (a PEM key, a JSON key) runs to the next key
                following = next((line for line in starts if line > mark.line), end)
                ranges.append((mark.line, following))
    sops_mark = keys.get(("sops",))
    if sops_mark:
        later = [m.line for p, m in keys.items() if len(p) == 1 and m.line > sops_mark.line]
        ranges.append((sops_mark.line, min(later, default=end)))
    return ranges


def _readable(ctx: ConfigContext) -> str:
    """The file's text with its guarded lines blanked (line numbers kept)."""
    lines = ctx.doc.text.split("\n")
    for first, end in _guarded_lines(ctx):
        stop = min(end - 1, len(lines))
        if first - 1 < stop:
            lines[first - 1 : stop] = [""] * (stop - first + 1)
    return "\n".join(lines)


@rule(
    id="CRED010",
    name="credential-in-other-field",
    severity=_E,
    security=True,
    message="a field or comment seems to hold a credential",
    hint="Remove it: the only place for a password is the encrypted password field "
    f"(`{SET} <file>`). "
    "If it was real, change it at the provider: it stays in the git history.",
    why="Only the password field is encrypted; a secret in a description, header or comment is "
    "readable by everyone with access to the repository.",
    bad=Example(yaml="description: 'SMTP password: Summer-2024!'\n"),
    good=Example(yaml="description: 'Password stored encrypted; ask IT to change it.'\n"),
)
def credential_in_other_field(ctx: ConfigContext) -> Iterator[Hit]:
    """No value or comment outside the password looks like a credential; no field or custom
    header is named like one (api_key, X-Auth-Token, Authorization…)."""
    readable = _readable(ctx)
    reported: set[int] = set()
    for number, kind in leaks.credential_lines(readable):
        if number not in reported and kind != "an age private key":
            reported.add(number)
            yield Hit(line=number, message=f"line {number} seems to hold a credential ({kind})")
    for name, value in ctx.raw.items():
        if (
            name not in ("password", "oauth")
            and isinstance(name, str)
            and leaks.secret_name(name)
            and value
        ):
            yield Hit(
                field=(name,),
                at_key=True,
                message=f"the field '{name}' holds a credential outside the encrypted password",
            )
    for _, header in ctx.config.custom_headers:
        name, sep, value = header.partition(":")
        if sep and value.strip() and leaks.secret_name(name):
            yield Hit(
                field=("custom_headers",),
                message=f"the custom header '{name.strip()}' carries a credential in clear text",
            )


@rule(
    id="CRED011",
    name="private-key-in-config",
    severity=_E,
    security=True,
    message="the file contains an age private key (AGE-SECRET-KEY-…)",
    hint="Remove the key from the file now, then make a new key (`smtpops keys init --env ENV`), "
    "remove the old public key (`smtpops keys remove`) and run `smtpops secrets rotate`: "
    "the leaked key stays in the git history.",
    why="A private key opens every password encrypted for it; committed, it is readable by anyone "
    "with access to the repository and its forks.",
    bad=Example(yaml=f"description: 'key {_FAKE_AGE_KEY}'\n"),
    good=Example(yaml="description: 'Key held by IT'\n"),
)
def private_key_in_config(ctx: ConfigContext) -> Iterator[Hit]:
    """No age private key anywhere in a config file, comments included."""
    text = ctx.doc.text
    if "AGE-SECRET-KEY-" not in text:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if leaks.AGE_SECRET_KEY.search(line):
            yield Hit(line=number, message=f"line {number} holds an age private key")


@rule(
    id="CRED012",
    name="secret-file-in-repository",
    severity=_E,
    security=True,
    kind="repo",
    message="an age private key, a decrypted copy of a config or a plaintext password file is in the repository",
    hint="Delete the file (and keep it out of git); if it was committed, treat the key or password "
    "as leaked: make a new key, remove the old one and run `smtpops secrets rotate`.",
    why="Private keys, decrypted files, password files (password.txt, .env) and lines like "
    "SMTP_PASSWORD=… undo the encryption for anyone who can read the repository. To hand a "
    "password to smtpops, type it at the prompt or pipe it from a password manager.",
    bad=Example(yaml="host: smtp.example.com\n", repo_files={"keys.txt": f"{_FAKE_AGE_KEY}\n"}),
    good=Example(
        yaml="host: smtp.example.com\n", repo_files={"README.txt": "Keys are held by IT.\n"}
    ),
)
def secret_file_in_repository(repo: RepoContext) -> Iterator[Hit]:
    """No age private key, decrypted config file, plaintext password file or SMTP_PASSWORD=
    line under configs/, at the repository's top level, or in .sops.yaml (``smtpops secrets
    check`` scans the whole repository)."""
    if not repo.configs_dir:
        return
    checked = {os.path.abspath(ctx.path) for ctx in repo.files}
    root = os.path.dirname(os.path.abspath(repo.configs_dir))
    # files named one by one: only their findings are wanted, and for a checked file the
    # scan looks at its name alone (its content is CRED002/CRED011's), so scan just them
    paths = scan.quick_paths(root, repo.configs_dir) if repo.whole_tree else sorted(checked)
    for finding in scan.scan_paths(paths, skip=checked):
        yield Hit(path=finding.path, line=finding.line, message=finding.message)


@rule(
    id="CRED013",
    name="oauth-secret-plaintext",
    severity=_E,
    security=True,
    message="a secret part of the oauth block is stored in plain text",
    hint=f"Run `{SET_OAUTH} <file>`: it asks for the secret parts and stores them encrypted. "
    "The plain text stays in the git history, so also replace the secret at the provider "
    "(a new client secret, a new key, a new refresh token).",
    why="A client secret, private key or refresh token lets anyone who reads the repository "
    "get tokens and send mail as the organisation.",
    bad=Example(
        yaml=oauth_example({OAUTH_SECRET_LINE: "    client_secret: Not-Encrypted-Secret-42\n"}),
        whole_file=True,
    ),
    good=Example(yaml=oauth_example(), whole_file=True),
)
def oauth_secret_plaintext(ctx: ConfigContext) -> Iterator[Hit]:
    """client_secret, private_key, refresh_token and service_account_key must be ENC[...]."""
    for path, value in secret_values(ctx.raw):
        if path[0] == "oauth" and value not in (None, "") and not looks_encrypted(value):
            yield Hit(
                field=path,
                message=f"{label(path)} is stored in plain text",
                hint=f"Run `{SET_OAUTH} {ctx.path}` to store it encrypted, and replace it at "
                "the provider: the plain text stays in the git history.",
            )


@rule(
    id="CRED014",
    name="sops-rule-misses-oauth",
    severity=_W,
    message=".sops.yaml does not encrypt the oauth block's secret parts for this folder",
    hint="Run `smtpops secrets updatekeys`: it updates the rule's encrypted_regex that earlier "
    "smtpops versions wrote.",
    why="`smtpops secrets set-oauth` refuses to write a secret that the sops rule would leave "
    "in plain text.",
    bad=Example(
        yaml=oauth_example(),
        whole_file=True,
        repo_files=_sops_yaml("development", OAUTH_KEY, regex="^password$"),
    ),
    good=Example(yaml=oauth_example(), whole_file=True),
)
def sops_rule_misses_oauth(ctx: ConfigContext) -> Iterator[Hit]:
    """When a file has an oauth block, its .sops.yaml rule's encrypted_regex covers every
    OAuth secret part."""
    if not isinstance(ctx.raw.get("oauth"), dict):
        return
    found = _creation_rule(ctx)
    if found is None or found[1] is None:
        return
    regex = found[1].encrypted_regex
    # the password and its seal are encrypted whatever the rule says (set-password names the
    # regex to sops itself); an oauth secret left out would be refused by set-oauth
    missing = [k for k in OAUTH_SECRETS if not sops_config.covers(regex, k)]
    if missing:
        yield Hit(
            field=("oauth",),
            at_key=True,
            message=f"the .sops.yaml rule for {found[0]} does not encrypt {', '.join(missing)} "
            f"(encrypted_regex '{(regex or '')[:60]}')",
            hint="Run `smtpops secrets updatekeys` to update .sops.yaml (earlier smtpops "
            f"versions wrote '^password$'); then `{SET_OAUTH} {ctx.path}`.",
        )
