"""The page's form → file step (``services.drafts``) under generated input: whatever is typed,
the file it writes reads back as exactly the typed values, and the password and sops block
of the saved file stay byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from smtpops import model, yamlio
from smtpops.rules.examples import BASE
from smtpops.services import drafts

LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
    max_size=40,
)
NUMBER = st.one_of(st.integers(-5, 70000).map(str), LINE)
FORM = st.fixed_dictionaries(
    {},
    optional={
        "description": LINE,
        "host": LINE,
        "port": NUMBER,
        "tls": st.sampled_from(["STARTTLS", "SSL/TLS", "None", "bogus"]),
        "verify_certificate": st.booleans(),
        "username": LINE,
        "helo_hostname": LINE,
        "retries": NUMBER,
        "idle_timeout": NUMBER,
        "custom_headers": st.lists(LINE, max_size=4).map("\n".join),
    },
)


def _block(text: str, key: str) -> str:
    """The lines of top-level ``key`` in ``text``, verbatim."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\t")), len(lines)
    )
    return "".join(lines[start:end])


@given(form=FORM)
def test_the_file_holds_exactly_what_was_typed(tmp_path_factory: Any, form: dict[str, Any]) -> None:
    folder: Path = tmp_path_factory.mktemp("drafts")
    values = drafts.typed(form)
    draft = drafts.compose(str(folder), "development", "example", values, BASE)
    data = yamlio.loads(draft.text).data
    assert data["name"] == "example"
    saved = yaml.safe_load(BASE)
    for field in drafts.EDITABLE:
        if field in values:  # a default the file did not spell out may stay unsaid
            assert data.get(field, model.DEFAULTS.get(field)) == values[field], field
        elif field not in saved:
            assert field not in data, field
    for key in ("password", "sops"):
        assert _block(draft.text, key) == _block(BASE, key)
