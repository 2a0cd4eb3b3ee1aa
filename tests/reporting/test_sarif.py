"""``--format sarif``: SARIF 2.1.0 for code scanning.

The subset schema below restates the SARIF 2.1.0 schema's rules (OASIS, sarif-schema-2.1.0.json)
for every object smtpops writes: required properties, closed property sets, enums and
minimums. It is not a copy of the schema, only of the constraints that apply to our output.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from smtpops.rules import RULES

_MESSAGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text"],
    "properties": {"text": {"type": "string"}, "markdown": {"type": "string"}},
}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_BAG = {
    "type": "object",
    "properties": {"tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}},
}
SUBSET = {
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "minItems": 1, "maxItems": 1, "items": {"$ref": "#/$defs/run"}},
    },
    "$defs": {
        "run": {
            "type": "object",
            "additionalProperties": False,
            "required": ["tool"],
            "properties": {
                "tool": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["driver"],
                    "properties": {"driver": {"$ref": "#/$defs/driver"}},
                },
                "invocations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["executionSuccessful"],
                        "properties": {"executionSuccessful": {"type": "boolean"}},
                    },
                },
                "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
            },
        },
        "driver": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "semanticVersion": {"type": "string"},
                "rules": {"type": "array", "uniqueItems": True, "items": {"$ref": "#/$defs/rule"}},
            },
        },
        "rule": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "shortDescription": _MESSAGE,
                "fullDescription": _MESSAGE,
                "help": _MESSAGE,
                "defaultConfiguration": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"level": _LEVEL},
                },
                "properties": _BAG,
            },
        },
        "result": {
            "type": "object",
            "additionalProperties": False,
            "required": ["message"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "level": _LEVEL,
                "message": _MESSAGE,
                "locations": {"type": "array", "items": {"$ref": "#/$defs/location"}},
                "properties": _BAG,
            },
        },
        "location": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "physicalLocation": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "artifactLocation": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "uri": {"type": "string", "format": "uri-reference"},
                                "uriBaseId": {"type": "string"},
                            },
                        },
                        "region": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "startLine": {"type": "integer", "minimum": 1},
                                "startColumn": {"type": "integer", "minimum": 1},
                            },
                        },
                    },
                }
            },
        },
    },
}


def sarif(run_cli, *args: str, expect: int) -> dict:
    result = run_cli("validate", "--format", "sarif", *args, expect=expect)
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SUBSET).validate(document)
    return document


def test_results_match_the_findings(project, run_cli, findings):
    project.write("development", "plain", auth_protocol="PLAIN")
    project.write("production", "bad", host="192.168.1.20")
    expected = findings()
    run = sarif(run_cli, expect=1)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(expected) >= 2
    for result, d in zip(run["results"], expected, strict=True):
        assert result["ruleId"] == d["rule"]
        assert rules[result["ruleIndex"]]["id"] == d["rule"]
        assert (
            result["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[d["severity"]]
        )
        assert result["message"]["text"] == f"{d['message']}. How to fix: {d['hint']}"
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": d["path"], "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": d["line"], "startColumn": d["column"]}
        assert result["properties"]["environment"] == d["environment"]
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_driver_lists_every_rule_with_its_docs(project, run_cli):
    project.write("development", "clean")
    driver = sarif(run_cli, expect=0)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "smtpops"
    assert [r["id"] for r in driver["rules"]] == sorted(RULES)
    for descriptor in driver["rules"]:
        rule = RULES[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.message
        assert descriptor["fullDescription"]["text"] == rule.why
        assert rule.hint in descriptor["help"]["text"]
        assert rule.bad.yaml.strip() in descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"]["level"] == rule.severity.value.replace(
            "info", "note"
        )
        assert ("security" in descriptor["properties"]["tags"]) == rule.security


def test_clean_run_has_an_empty_result_list(project, run_cli):
    project.write("development", "clean")
    assert sarif(run_cli, expect=0)["runs"][0]["results"] == []


def test_uri_is_percent_encoded_and_relative(project, run_cli):
    project.write("development", "clean")
    text = (project.root / "configs/development/clean.yaml").read_text()
    project.raw("development", "with space#1.yaml", text)
    results = sarif(run_cli, expect=1)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "configs/development/with%20space%231.yaml" in uris


def test_uris_are_relative_to_the_repository_root_wherever_the_run_starts(
    project, run_cli, tmp_path_factory, monkeypatch
):
    path = project.write("development", "broken", port=0)
    (project.root / ".git").mkdir()  # the repository root is the folder holding .git
    for cwd in (project.root / "configs", project.root / "configs" / "development"):
        monkeypatch.chdir(cwd)
        results = sarif(run_cli, expect=1)["runs"][0]["results"]
        location = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": "configs/development/broken.yaml", "uriBaseId": "%SRCROOT%"}
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    results = sarif(run_cli, str(path), expect=1)["runs"][0]["results"]
    location = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "configs/development/broken.yaml"


def test_a_file_outside_any_configs_tree_gets_an_absolute_uri(
    run_cli, tmp_path_factory, monkeypatch
):
    from smtpops.rules.examples import BASE

    path = tmp_path_factory.mktemp("loose") / "broken.yaml"
    path.write_text(BASE.replace("port: 587", "port: 0"))
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    results = sarif(run_cli, str(path), expect=1)["runs"][0]["results"]
    location = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": Path(path).as_uri()}


def test_security_rules_carry_a_security_severity(project, run_cli):
    from smtpops.rules import RULES

    project.write("development", "clean")
    rules = {r["id"]: r for r in sarif(run_cli, expect=0)["runs"][0]["tool"]["driver"]["rules"]}
    for rule_id, rule in RULES.items():
        props = rules[rule_id]["properties"]
        if rule.security:
            assert "security" in props["tags"]
            score = float(props["security-severity"])
            assert (score >= 7.0) == (rule.severity.value == "error"), rule_id
        else:
            assert "security-severity" not in props, rule_id


def test_unreadable_input_marks_the_run_unsuccessful(project, run_cli):
    folder = project.root / "configs" / "development"
    folder.mkdir(parents=True)
    (folder / "dangling.yaml").symlink_to(folder / "gone")
    run = sarif(run_cli, expect=2)["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": False}]
    assert [r["ruleId"] for r in run["results"]] == ["FILE008"]


@pytest.mark.parametrize("env, level", [("development", "warning"), ("production", "error")])
def test_level_is_the_severity_in_the_environment(project, run_cli, env, level):
    project.write(env, "nocheck", verify_certificate=False)
    results = sarif(run_cli, "--select", "TLS004", expect=0 if level == "warning" else 1)
    (result,) = results["runs"][0]["results"]
    assert result["ruleId"] == "TLS004" and result["level"] == level
