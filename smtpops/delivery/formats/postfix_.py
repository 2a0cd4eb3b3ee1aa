"""``postfix``: the relay configuration as files, for those who ship them themselves
(``render --format postfix --output DIR``): ``main.cf.smtpops`` (the parameters, to
append to main.cf or feed to ``postconf -e``), ``sasl_passwd`` (0600; run
``postmap hash:sasl_passwd`` where it will live), ``master.cf.smtpops`` (the relay
transport, its process limit = max_connections), the header tables and the CA file. The
map paths in ``main.cf.smtpops`` name ``--option directory=DIR`` (default: the output
folder). ``smtpops apply --target postfix`` does all of it, and the reload, in one step.

An OAuth2 config (XOAUTH2/OAUTHBEARER) is refused for good (``Format.oauth``, the same record
as the apply target's): Postfix signs in through Cyrus SASL, whose XOAUTH2 plugin Debian does
not package.
"""

from __future__ import annotations

from smtpops.delivery.formats.base import (
    Context,
    Format,
    OutputFile,
    Rendered,
    option,
    seconds_value,
)
from smtpops.delivery.oauth_support import POSTFIX
from smtpops.delivery.postfix import params, tables


def render(ctx: Context) -> Rendered:
    d = ctx.delivery
    where = option(ctx, "directory", "/etc/postfix/smtpops")
    interval = seconds_value(ctx.options, "retry_interval", params.DEFAULT_RETRY_INTERVAL)
    found = tables.layout(d, ctx.password, where, interval=interval)
    head = [
        f"# Postfix relay settings of {d.config}, rendered by "
        f"`smtpops render {d.environment} --format postfix`; digest {d.digest}",
        "# Append to main.cf (or `postconf -e` each line), add master.cf.smtpops to master.cf,",
        "# run `postmap hash:sasl_passwd` where the files live, then `postfix reload`.",
    ]
    main = "\n".join(head + [f"{k} = {v}" for k, v in found.parameters.items()]) + "\n"
    entry = params.service("-", d.max_connections).split("=", 1)[1].split()
    master = (
        "# The relay transport; add to master.cf (or: postconf -M "
        f"'{params.service('-', d.max_connections)}')\n" + "  ".join(entry) + "\n"
    )
    files = [
        OutputFile(name="main.cf.smtpops", data=main.encode()),
        OutputFile(name="master.cf.smtpops", data=master.encode()),
    ]
    files += found.files
    return Rendered(files=tuple(files))


FORMAT = Format(
    name="postfix",
    summary="Postfix relay files: main.cf parameters, 0600 sasl_passwd, header tables (a folder)",
    render=render,
    plaintext=True,
    directory=True,
    options=("directory", "retry_interval"),
    oauth=POSTFIX,
)
