"""The splice keeps every byte outside the password, its binding and the sops block, for
fields in any order, with or without a binding or a sops block already there."""

from __future__ import annotations

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from smtpops.encryption import splice

OTHER = st.lists(
    st.sampled_from(
        [
            "host: smtp.example.com\n",
            "port: 587\n",
            "# a comment\n",
            "\n",
            "custom_headers: |\n  X-A: b\n  X-C: d\n",
            "description: 'quoted: value'\n",
        ]
    ),
    max_size=6,
)
SOPS_BLOCK = "sops:\n  mac: ENC[old]\n  version: 3.11.0\n"
NEW = splice.Encrypted(
    value="ENC[AES256_GCM,data:new]",
    block="sops:\n  mac: ENC[new]\n  version: 3.11.0\n",
    binding="ENC[AES256_GCM,data:seal]",
)


@example(  # a comment after a leading sops block was swallowed with the block
    before=["# a comment\n"], after=[], end=[], with_binding=False, with_sops=True, sops_first=True
)
@given(
    before=OTHER,
    after=OTHER,
    end=OTHER,
    with_binding=st.booleans(),
    with_sops=st.booleans(),
    sops_first=st.booleans(),
)
def test_splice_changes_only_the_sealed_places(
    before: list[str],
    after: list[str],
    end: list[str],
    with_binding: bool,
    with_sops: bool,
    sops_first: bool,
) -> None:
    head = "".join(dict.fromkeys(before))  # one of each field: a mapping has unique keys
    mid = "".join(line for line in dict.fromkeys(after) if line not in head)
    tail = "".join(line for line in dict.fromkeys(end) if line not in head + mid)
    password = "password: ENC[old]\n" + (
        "password_binding: ENC[old-seal]\n" if with_binding else ""
    )
    sops = SOPS_BLOCK if with_sops else ""
    text = (
        (sops + head + password + mid + tail)
        if sops_first
        else (head + password + mid + sops + tail)
    )
    lay = splice.layout(text, "x.yaml")
    out = splice.splice(lay, NEW)
    data = yaml.safe_load(out)
    assert data["password"] == NEW.value and data["password_binding"] == NEW.binding
    assert data["sops"]["mac"] == "ENC[new]"
    kept = [line for line in text.splitlines() if "ENC[" not in line and "version:" not in line]
    again = [line for line in out.splitlines() if "ENC[" not in line and "version:" not in line]
    assert [line for line in again if line.strip() != "sops:"] == [
        line for line in kept if line.strip() != "sops:"
    ]


OAUTH_BLOCK = "oauth:\n  flow: generic\n  client_secret: ENC[old-secret]\n"


@example(before=[], after=["# a comment\n"], with_binding=False, newline=False)
@given(before=OTHER, after=OTHER, with_binding=st.booleans(), newline=st.booleans())
def test_the_seal_of_an_oauth_config_goes_after_its_block_and_nothing_else_moves(
    before: list[str], after: list[str], with_binding: bool, newline: bool
) -> None:
    head = "".join(dict.fromkeys(before))
    tail = "".join(line for line in dict.fromkeys(after) if line not in head)
    seal = "password_binding: ENC[old-seal]\n" if with_binding else ""
    block = OAUTH_BLOCK if newline or tail or seal else OAUTH_BLOCK.rstrip("\n")
    text = head + block + seal + tail
    out = splice.with_binding(splice.layout(text, "x.yaml"), "ENC[AES256_GCM,data:seal]")
    data = yaml.safe_load(out)
    assert data["password_binding"] == "ENC[AES256_GCM,data:seal]"
    assert data["oauth"] == {"flow": "generic", "client_secret": "ENC[old-secret]"}
    assert out.count("password_binding:") == 1
    kept = [line for line in text.splitlines() if "password_binding" not in line]
    assert [line for line in out.splitlines() if "password_binding" not in line] == kept
