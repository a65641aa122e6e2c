"""The document validates against its published JSON Schema, from the command and from the tab's routes."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from test_plugin_wsgi import ROUTE, Served

ROOT = Path(__file__).resolve().parent.parent
DEMO_LOGS = ROOT / "demo_logs"
SCHEMA_PATH = ROOT / "tb_lossdoc" / "schema" / "diagnosis-v1.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator, document):
    return ["%s: %s" % (list(e.absolute_path), e.message) for e in validator.iter_errors(document)]


def test_schema_is_shipped_with_the_package():
    import tb_lossdoc

    shipped = Path(tb_lossdoc.__file__).parent / "schema" / "diagnosis-v1.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_command_output_on_demo_logs_is_valid(validator, lang):
    done = subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", str(DEMO_LOGS), "--format", "json", "--lang", lang],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    assert document["runs"] and document["skipped"]
    assert _errors(validator, document) == []


def test_diagnoses_route_is_valid(validator):
    served = Served(DEMO_LOGS)
    for lang in ("en", "zh"):
        document = served.json(ROUTE + "/diagnoses?lang=" + lang)
        assert document["runs"]
        assert _errors(validator, document) == []


def test_the_schema_rejects_what_the_contract_forbids(validator):
    """The schema is not vacuous: a renamed field, an unknown code or an empty reason fail it."""
    import tb_lossdoc

    document = tb_lossdoc.diagnose(str(DEMO_LOGS))
    run = document["runs"][0]
    assert _errors(validator, document) == []
    bad_code = json.loads(json.dumps(document))
    bad_code["runs"][0]["verdict"] = "overfit"
    renamed = json.loads(json.dumps(document))
    renamed["runs"][0]["bestStep"] = renamed["runs"][0].pop("best_step")
    empty_reason = json.loads(json.dumps(document))
    empty_reason["skipped"] = [{"run": run["run"], "reason": ""}]
    for broken in (bad_code, renamed, empty_reason):
        assert _errors(validator, broken)

