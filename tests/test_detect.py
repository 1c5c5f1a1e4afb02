"""Routing format detection, and golden RoutingModels of the example exports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from auditrules.errors import AuditError
from auditrules.routing.detect import FORMATS, detect_format, load_routing
from auditrules.routing.serialize import model_to_json

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = {
    "zendesk-twotier": ROOT / "examples" / "zendesk-twotier",
    "zendesk-fair": ROOT / "examples" / "zendesk-fair",
    "taskrouter-vip": ROOT / "examples" / "taskrouter-vip" / "workflow.json",
    "taskrouter-fair": ROOT / "examples" / "taskrouter-fair" / "workflow.json",
    "freshdesk-unfair": ROOT / "examples" / "freshdesk-unfair",
    "freshdesk-fair": ROOT / "examples" / "freshdesk-fair",
    "genesys-unfair": ROOT / "examples" / "genesys-unfair",
    "genesys-queues": ROOT / "examples" / "genesys-unfair" / "queues.json",
    "genesys-fair": ROOT / "examples" / "genesys-fair",
    "salesforce-unfair": ROOT / "examples" / "salesforce-unfair",
    "salesforce-fair": ROOT / "examples" / "salesforce-fair",
    "connect-unfair": ROOT / "examples" / "connect-unfair" / "inbound-flow.json",
    "connect-fair": ROOT / "examples" / "connect-fair" / "inbound-flow.json",
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_golden_models(name: str) -> None:
    """``AUDITRULES_UPDATE_GOLDEN=1 pytest tests/test_detect.py`` rewrites the golden files."""
    model = load_routing(EXAMPLES[name])
    got = json.dumps(model_to_json(model, ROOT), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"{name}.model.json"
    if os.environ.get("AUDITRULES_UPDATE_GOLDEN") == "1":
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with AUDITRULES_UPDATE_GOLDEN=1"
    assert got == golden.read_text(encoding="utf-8")


def test_serialisation_is_deterministic_and_relative() -> None:
    a = model_to_json(load_routing(EXAMPLES["zendesk-twotier"]), ROOT)
    b = model_to_json(load_routing(EXAMPLES["zendesk-twotier"]), ROOT)
    assert a == b
    assert a["inputs"][0]["path"] == "examples/zendesk-twotier/automations.json"
    assert all(not r["location"]["path"].startswith("/") for r in a["rules"])


def test_examples_have_the_expected_shape() -> None:
    two = load_routing(EXAMPLES["zendesk-twotier"])
    assert two.format == "zendesk"
    reads = {r.field for rule in two.rules if rule.active for r in rule.reads}
    assert {"requester_twitter_followers_count", "requester.klout_score", "tag:vip"} <= reads
    fair = load_routing(EXAMPLES["zendesk-fair"])
    fair_reads = {r.field for rule in fair.rules for r in rule.reads}
    assert not any(word in f for f in fair_reads for word in ("klout", "follower", "twitter", "vip", "verified"))
    (policy,) = fair.sla_policies
    assert policy.channels is None and policy.conditions == ()
    vip = load_routing(EXAMPLES["taskrouter-vip"])
    assert vip.format == "taskrouter"
    assert [r.field for r in vip.rules[0].reads] == ["followers", "klout_score"]
    assert vip.rules[0].name == "VIP fast lane"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("zendesk-twotier", "zendesk"),
        ("zendesk-fair", "zendesk"),
        ("taskrouter-vip", "taskrouter"),
        ("taskrouter-fair", "taskrouter"),
        ("freshdesk-unfair", "freshdesk"),
        ("freshdesk-fair", "freshdesk"),
        ("genesys-unfair", "genesys"),
        ("genesys-fair", "genesys"),
        ("salesforce-unfair", "salesforce"),
        ("salesforce-fair", "salesforce"),
        ("connect-unfair", "connect"),
        ("connect-fair", "connect"),
    ],
)
def test_detects_examples(name: str, fmt: str) -> None:
    assert detect_format(EXAMPLES[name]) == fmt
    assert fmt in FORMATS


def test_detects_single_zendesk_file_and_canonical_yaml(tmp_path: Path) -> None:
    trig = tmp_path / "export.json"
    trig.write_text(json.dumps({"triggers": []}), encoding="utf-8")
    assert detect_format(trig) == "zendesk"
    assert load_routing(trig).rules == ()
    yml = tmp_path / "routing.yaml"
    yml.write_text("auditrules: routing/v1\nchannels: [email]\n", encoding="utf-8")
    assert detect_format(yml) == "canonical"


def test_format_override(tmp_path: Path) -> None:
    cfg = tmp_path / "odd-name.json"
    cfg.write_text(
        json.dumps({"task_routing": {"filters": [{"expression": "task.vip == true", "targets": [{"queue": "Q"}]}]}}),
        encoding="utf-8",
    )
    assert load_routing(cfg, "taskrouter").rules[0].reads[0].field == "vip"
    with pytest.raises(AuditError) as info:
        load_routing(cfg, "zendesk")  # told it is Zendesk: it is not
    assert info.value.code == "AR204"
    with pytest.raises(AuditError) as info:
        load_routing(cfg, "sap-crm")
    assert info.value.code == "AR005"


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.txt", "hello"), ("data.json", '{"tickets": []}'), ("other.yaml", "a: 1\n"), ("list.json", "[1, 2]")],
)
def test_unknown_files_are_ar204(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AuditError) as info:
        load_routing(path)
    err = info.value
    assert err.code == "AR204"
    assert err.message.startswith(
        f"cannot tell the routing format of {path} (expected canonical YAML 'auditrules: routing/v1', "
        "a Zendesk export (triggers, automations, views, macros, sla_policies, *_fields), "
    )
    assert all(vendor in err.message for vendor in ("TaskRouter", "Freshdesk", "Genesys", "Salesforce", "Connect"))
    assert err.span is not None and (err.span.line, err.span.column) == (1, 1)


def test_missing_path_is_ar001(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as info:
        load_routing(tmp_path / "absent.json")
    assert info.value.code == "AR001"
