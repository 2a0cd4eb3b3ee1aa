"""The plaintext-credential scans (`secrets check`): a decrypted password is found in any
file that holds it and in none that does not; a mail-password line is reported only with a
literal value, never for a variable reference."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from smtpops.encryption import scan

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
_PASSWORD = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=4, max_size=40
)


@given(before=_TEXT, after=_TEXT, password=_PASSWORD, hold=st.booleans())
def test_containing_finds_exactly_the_files_that_hold_the_password(
    tmp_path_factory, before: str, after: str, password: str, hold: bool
) -> None:
    folder = tmp_path_factory.mktemp("scan")
    text = before + (password if hold else "") + after
    path = Path(folder) / "notes.txt"
    path.write_bytes(text.encode("utf-8"))
    needle = password.encode("utf-8")
    found = scan.containing([str(path)], [needle])
    assert bool(found) == (needle in text.encode("utf-8"))
    if found:
        line = text.encode("utf-8")[: text.encode("utf-8").find(needle)].count(b"\n") + 1
        assert found[0].line == line
        assert found[0].message == "this file holds a decrypted password of this repository"


_NAME = st.sampled_from(["SMTP_PASSWORD", "MAIL_PASSWORD", "EMAIL_PASS", "APP_SMTP_PASSWORD"])


@given(name=_NAME, export=st.booleans(), quote=st.sampled_from(["", "'", '"']), var=_PASSWORD)
def test_a_variable_reference_is_never_a_plaintext_password(
    tmp_path_factory, name: str, export: bool, quote: str, var: str
) -> None:
    value = "${" + var.replace("}", "") + "}" if len(var) % 2 else "$" + var
    line = f"{'export ' if export else ''}{name}={quote}{value}{quote}\n"
    path = Path(tmp_path_factory.mktemp("scan")) / "run.sh"
    path.write_text(line, encoding="utf-8")
    assert not any("mail password" in f.message for f in scan.scan_file(str(path)))


@given(
    name=_NAME, export=st.booleans(), value=st.from_regex(r"[A-Za-z0-9!#%+]{1,30}", fullmatch=True)
)
def test_a_literal_mail_password_line_is_reported(
    tmp_path_factory, name: str, export: bool, value: str
) -> None:
    value = f"Zq7{value}"  # distinct from the message's own words
    path = Path(tmp_path_factory.mktemp("scan")) / "run.sh"
    path.write_text(f"#!/bin/sh\n{'export ' if export else ''}{name}={value}\n", encoding="utf-8")
    found = [f for f in scan.scan_file(str(path)) if "mail password" in f.message]
    assert [f.line for f in found] == [2] and all(value not in f.message for f in found)
