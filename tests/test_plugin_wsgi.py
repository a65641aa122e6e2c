"""The Diagnosis tab's backend inside TensorBoard's real WSGI application.

Event files are written by torch's real `SummaryWriter`, loaded by TensorBoard's
own multiplexer and data provider, and served by `application.TensorBoardWSGI`
exactly as `tensorboard` serves them; nothing of TensorBoard is mocked.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.test import Client

from tensorboard.backend import application
from tensorboard.backend.event_processing import data_provider as tb_data_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.plugins import base_plugin

import writers

import tb_lossdoc
from tb_lossdoc.serve import plugin as lossdoc_plugin
from tb_lossdoc.serve.health import IN_PROGRESS_SECONDS, HealthScanner
from tb_lossdoc.serve.loader import LossDocLoader

REPO = Path(__file__).resolve().parent.parent
DEMO_LOGS = REPO / "demo_logs"
ROUTE = "/data/plugin/lossdoc"
STEPS = range(0, 1000, 10)


# ---- Writing real event files -------------------------------------------------


def write_scalars(logdir, series):
    """torch.utils.tensorboard.SummaryWriter.add_scalar for each tag's (step, value) points."""
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(logdir))
    for tag, points in series.items():
        for step, value in points:
            writer.add_scalar(tag, value, step)
    writer.close()


def overfit_curves():
    train = [(s, 2.0 * math.exp(-s / 300) + 0.1) for s in STEPS]
    val = [(s, 0.6 + 0.6 * ((s - 400) / 600) ** 2) for s in STEPS]
    return {"Loss/train": train, "Loss/validation": val}


def healthy_curves(steps=STEPS):
    train = [(s, 2.0 * math.exp(-s / 150) + 0.2) for s in steps]
    val = [(s, 2.0 * math.exp(-s / 150) + 0.25) for s in steps]
    return {"Loss/train": train, "Loss/validation": val}


def diverging_tail():
    """Points after `healthy_curves`: both losses climb from 0.2 to about 3."""
    steps = range(1000, 2000, 10)
    train = [(s, 0.2 + 2.8 * (s - 1000) / 1000) for s in steps]
    val = [(s, 0.25 + 2.8 * (s - 1000) / 1000) for s in steps]
    return {"Loss/train": train, "Loss/validation": val}


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("logs")
    write_scalars(root / "overfit", overfit_curves())
    write_scalars(root / "healthy", healthy_curves())
    write_scalars(root / "no_loss", {"accuracy": [(s, s / 1000) for s in STEPS]})
    return root


# ---- Building TensorBoard's application around the plugin ---------------------


class CountingProvider(tb_data_provider.MultiplexerDataProvider):
    """TensorBoard's real provider, recording which runs each `read_scalars` asked for."""

    def __init__(self, multiplexer, logdir):
        super().__init__(multiplexer, logdir)
        self.reads = []

    def read_scalars(self, ctx=None, *, experiment_id, plugin_name, downsample=None, run_tag_filter=None):
        self.reads.append(sorted(run_tag_filter.runs) if run_tag_filter and run_tag_filter.runs else None)
        return super().read_scalars(
            ctx, experiment_id=experiment_id, plugin_name=plugin_name, downsample=downsample, run_tag_filter=run_tag_filter
        )


def make_flags(**overrides):
    """The flags `tensorboard` would pass, parsed by the loader's own `define_flags`."""
    parser = argparse.ArgumentParser()
    loader = LossDocLoader()
    loader.define_flags(parser)
    argv = []
    for name, value in overrides.items():
        argv += ["--" + name, value]
    flags = parser.parse_args(argv)
    loader.fix_flags(flags)
    return flags


class Served:
    """A logdir served by TensorBoard's WSGI app with LossDoc as its only plugin."""

    def __init__(self, logdir, flags=None, sample_limit=0, path_prefix="", provider_class=None):
        self.logdir = str(logdir)
        self.multiplexer = plugin_event_multiplexer.EventMultiplexer(tensor_size_guidance={"scalars": 0})
        self.multiplexer.AddRunsFromDirectory(self.logdir)
        self.multiplexer.Reload()
        self.provider = (provider_class or CountingProvider)(self.multiplexer, self.logdir)
        context = base_plugin.TBContext(
            logdir=self.logdir,
            data_provider=self.provider,
            flags=flags if flags is not None else make_flags(),
            sampling_hints={"scalars": sample_limit},
        )
        self.plugin = LossDocLoader().load(context)
        self.app = application.TensorBoardWSGI([self.plugin], path_prefix=path_prefix, data_provider=self.provider)
        self.client = Client(self.app)

    def get(self, url):
        return self.client.get(url)

    def json(self, url):
        response = self.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        return json.loads(response.get_data(as_text=True))


@pytest.fixture
def served(logdir):
    return Served(logdir)


def essentials(document):
    """What the tab and the command must agree on."""
    return {
        "runs": [
            {
                "run": r["run"],
                "verdict": r["verdict"],
                "severity": r["severity"],
                "best_step": r["best_step"],
                "findings": [(f["code"], f["severity"], f["first_step"], f["last_step"]) for f in r["findings"]],
            }
            for r in document["runs"]
        ],
        "skipped": sorted(s["run"] for s in document["skipped"]),
    }


# ---- Registration ---------------------------------------------------------------


def test_plugins_listing_shows_the_diagnosis_tab(served):
    listing = served.json("/data/plugins_listing")
    entry = listing["lossdoc"]
    assert entry["enabled"] is True
    assert entry["tab_name"] == "Diagnosis"
    assert entry["loading_mechanism"] == {"type": "IFRAME", "module_path": "/data/plugin/lossdoc/index.js"}


def test_tab_inactive_without_scalars(tmp_path):
    (tmp_path / "empty_run").mkdir()
    served = Served(tmp_path)
    assert served.plugin.is_active() is False
    assert served.json("/data/plugins_listing")["lossdoc"]["enabled"] is False


def test_plugin_is_active_with_scalars(served):
    assert served.plugin.is_active() is True


def test_entry_module_imports_nothing_heavy():
    code = (
        "import json, sys, tb_lossdoc.serve.loader; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'torch', 'numpy', 'tb_lossdoc.serve.plugin'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd="/")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
    code = "import sys, tb_lossdoc.serve.loader; print('tb_lossdoc.serve.plugin' in sys.modules, 'tb_lossdoc.analysis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd="/")
    assert out.stdout.split() == ["False", "False"]


# ---- /diagnoses -----------------------------------------------------------------


def test_diagnoses_equal_the_command_on_a_tmp_logdir(served, logdir):
    document = served.json(ROUTE + "/diagnoses")
    expected = tb_lossdoc.diagnose(str(logdir))
    assert essentials(document) == essentials(expected)
    runs = {r["run"]: r for r in document["runs"]}
    assert runs["overfit"]["verdict"] == "overfitting"
    assert runs["healthy"]["severity"] == "ok"
    assert [s["run"] for s in document["skipped"]] == ["no_loss"]
    assert document["lang"] == "en"


def test_diagnoses_equal_the_command_on_demo_logs():
    if not any("tfevents" in name for _, _, files in os.walk(DEMO_LOGS) for name in files):
        pytest.skip("demo_logs/ has no event files yet (written by scripts/make_demo_logs.py)")
    served = Served(DEMO_LOGS)
    document = served.json(ROUTE + "/diagnoses")
    expected = tb_lossdoc.diagnose(str(DEMO_LOGS))
    assert essentials(document)["runs"] == essentials(expected)["runs"]
    assert set(essentials(document)["skipped"]) <= set(essentials(expected)["skipped"])
    assert len(document["runs"]) >= 1


def test_experiment_prefixed_url(served):
    plain = served.json(ROUTE + "/diagnoses")
    prefixed = served.json("/experiment/123/data/plugin/lossdoc/diagnoses")
    assert essentials(prefixed) == essentials(plain)
    curves = served.json("/experiment/123/data/plugin/lossdoc/curves?run=overfit")
    assert curves["run"] == "overfit"


def test_path_prefix(logdir):
    served = Served(logdir, path_prefix="/tb")
    document = served.json("/tb/data/plugin/lossdoc/diagnoses")
    assert [r["run"] for r in document["runs"]] == ["healthy", "overfit"]
    assert served.get("/tb/experiment/7/data/plugin/lossdoc/diagnoses?lang=zh").status_code == 200
    response = served.get("/tb/data/plugin/lossdoc/index.js")
    assert response.status_code == 200 and b"export function render" in response.get_data()
    assert served.get("/tb/data/plugin/lossdoc/..%2fplugin.py").status_code == 404
    assert served.get("/data/plugin/lossdoc/diagnoses").status_code == 404  # outside the prefix


def _has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_diagnoses_in_chinese(served):
    document = served.json(ROUTE + "/diagnoses?lang=zh")
    assert document["lang"] == "zh"
    titles = [f["title"] for r in document["runs"] for f in r["findings"]]
    assert titles and all(_has_chinese(t) for t in titles)
    english = served.json(ROUTE + "/diagnoses?lang=en")
    assert not any(_has_chinese(f["title"]) for r in english["runs"] for f in r["findings"])
    assert essentials(document) == essentials(english)


def test_default_language_comes_from_the_flag(logdir):
    served = Served(logdir, flags=make_flags(lossdoc_lang="zh"))
    document = served.json(ROUTE + "/diagnoses")
    assert document["lang"] == "zh"
    assert served.json(ROUTE + "/diagnoses?lang=en")["lang"] == "en"


@pytest.mark.parametrize("query", ["lang=xx", "lang=", "lang=EN", "lang=zh-CN", "lang=%3Cscript%3E"])
def test_diagnoses_bad_language_is_400(served, query):
    response = served.get(ROUTE + "/diagnoses?" + query)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")


# ---- /curves ----------------------------------------------------------------------


def test_curves_need_a_run(served):
    assert served.get(ROUTE + "/curves").status_code == 400
    assert served.get(ROUTE + "/curves?run=").status_code == 400


@pytest.mark.parametrize("run", ["nope", "no_loss", "overfit/extra", "%00", "%3Cimg%3E", "..%2F..%2Fetc"])
def test_curves_unknown_run_is_404(served, run):
    assert served.get(ROUTE + "/curves?run=" + run).status_code == 404


@pytest.mark.parametrize("value", ["abc", "9", "5001", "-1", "1e3", "%2012", "12.0", "99999999999999999999", ""])
def test_curves_bad_max_points_is_400(served, value):
    assert served.get(ROUTE + "/curves?run=overfit&max_points=" + value).status_code == 400


def test_curves_of_a_known_run(served):
    curves = served.json(ROUTE + "/curves?run=overfit")
    assert curves["run"] == "overfit"
    train = curves["series"]["train_loss"]
    val = curves["series"]["val_loss"]
    assert (train["run"], train["tag"]) == ("overfit", "Loss/train")
    assert (val["run"], val["tag"]) == ("overfit", "Loss/validation")
    assert len(train["points"]) == len(STEPS)
    step, value = train["points"][0]
    assert step == 0 and value == pytest.approx(2.1, rel=1e-5)


@pytest.mark.parametrize("max_points", [10, 50, 5000])
def test_curves_max_points(served, max_points):
    curves = served.json(ROUTE + "/curves?run=overfit&max_points=%d" % max_points)
    points = curves["series"]["train_loss"]["points"]
    assert 0 < len(points) <= max_points
    assert points[-1][0] == 990  # the last point is always kept


# ---- Static files and path traversal ------------------------------------------


def test_index_js_is_served():
    served_files = sorted(os.listdir(lossdoc_plugin.STATIC_DIR)) if os.path.isdir(lossdoc_plugin.STATIC_DIR) else []
    assert "index.js" in served_files, "the installed package lacks static/index.js: pip install --no-deps --force-reinstall ."


def test_every_static_file_is_served_with_its_type(served):
    names = [n for n in os.listdir(lossdoc_plugin.STATIC_DIR) if n.endswith((".js", ".css"))]
    assert names
    for name in names:
        response = served.get(ROUTE + "/" + name)
        assert response.status_code == 200, name
        expected_type = "text/javascript" if name.endswith(".js") else "text/css"
        assert response.headers["Content-Type"].split(";")[0] == expected_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        with open(os.path.join(lossdoc_plugin.STATIC_DIR, name), "rb") as infile:
            assert response.get_data() == infile.read()


TRAVERSALS = [
    "/../../etc/passwd",
    "/../plugin.py",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/%2e%2e/plugin.py",
    "/%2e%2e%2fplugin.py",
    "/..%2fplugin_loader.py",
    "/..%5cplugin.py",
    "/..%5c..%5cetc%5cpasswd",
    "/..\\plugin.py",
    "/static\\..\\plugin.py",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/%2Fetc%2Fhosts",
    "/C:%5cWindows%5cwin.ini",
    "/static/../plugin.py",
    "/static/index.js",
    "/plugin.py",
    "/plugin_loader.py",
    "/http_api.md",
    "/__init__.py",
    "/index.js%00.py",
    "/index.js/",
    "/index.js/..",
    "/....js",
    "/..%2findex.js",
    "/.js",
    "/static",
    "/",
    "/%",
    "/%ff%fe.js",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_404(served, path):
    response = served.get(ROUTE + path)
    assert response.status_code == 404, (path, response.status_code)
    body = response.get_data()
    assert response.headers["Content-Type"].startswith("text/plain")
    assert b"root:" not in body and b"import" not in body and b"localhost" not in body
    assert len(body) < 200


def test_symlink_out_of_static_is_404(served, tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.js").write_text("export const ok = 1;\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, static / "evil.js")
    os.symlink(tmp_path, static / "up.css")
    monkeypatch.setattr(lossdoc_plugin, "STATIC_DIR", str(static))
    assert served.get(ROUTE + "/ok.js").get_data() == b"export const ok = 1;\n"
    for name in ("evil.js", "up.css", "missing.js"):
        response = served.get(ROUTE + "/" + name)
        assert response.status_code == 404
        assert b"top secret" not in response.get_data()


# ---- The cache ---------------------------------------------------------------------


def test_cache_reuses_results_and_refreshes_only_a_grown_run(tmp_path):
    write_scalars(tmp_path / "overfit", overfit_curves())
    write_scalars(tmp_path / "healthy", healthy_curves())
    served = Served(tmp_path)

    first = served.json(ROUTE + "/diagnoses")
    assert sorted(r for reads in served.provider.reads for r in reads) == ["healthy", "overfit"]
    served.provider.reads.clear()

    again = served.json(ROUTE + "/diagnoses")
    assert served.provider.reads == []  # nothing re-read
    assert again["runs"] == first["runs"]
    zh = served.json(ROUTE + "/diagnoses?lang=zh")  # both languages come from one result
    assert served.provider.reads == [] and essentials(zh) == essentials(first)

    before = {r["run"]: r for r in first["runs"]}
    assert before["healthy"]["verdict"] in ("converged", "still_improving")

    writers.next_second()  # the new event file must sort after the first
    write_scalars(tmp_path / "healthy", diverging_tail())  # training goes on, then blows up
    served.multiplexer.Reload()
    after_doc = served.json(ROUTE + "/diagnoses")
    assert served.provider.reads == [["healthy"]]  # only the grown run was read again
    after = {r["run"]: r for r in after_doc["runs"]}
    assert after["healthy"]["verdict"] != before["healthy"]["verdict"]
    assert after["healthy"]["severity"] in ("warning", "critical")
    assert after["healthy"]["series"]["train_loss"]["points"] == 200
    assert after["overfit"] == before["overfit"]
    assert essentials(after_doc) == essentials(tb_lossdoc.diagnose(str(tmp_path)))


# ---- Flags ---------------------------------------------------------------------------


def test_fix_flags_rejects_a_bad_regex():
    loader = LossDocLoader()
    with pytest.raises(base_plugin.FlagsError, match="lossdoc_train_loss_tag"):
        loader.fix_flags(argparse.Namespace(lossdoc_lang="en", lossdoc_train_loss_tag="(", lossdoc_val_loss_tag=None))
    with pytest.raises(base_plugin.FlagsError, match="lossdoc_val_loss_tag"):
        loader.fix_flags(argparse.Namespace(lossdoc_lang="en", lossdoc_train_loss_tag=None, lossdoc_val_loss_tag="[a-"))


@pytest.mark.parametrize("lang", ["fr", "english", "zh-TW", 3])
def test_fix_flags_rejects_an_unknown_language(lang):
    with pytest.raises(base_plugin.FlagsError, match="lossdoc_lang"):
        LossDocLoader().fix_flags(argparse.Namespace(lossdoc_lang=lang))


def test_fix_flags_accepts_defaults_and_normalises():
    flags = make_flags()
    assert (flags.lossdoc_lang, flags.lossdoc_train_loss_tag, flags.lossdoc_val_loss_tag) == ("en", None, None)
    assert make_flags(lossdoc_lang="ZH").lossdoc_lang == "zh"
    LossDocLoader().fix_flags(argparse.Namespace())  # flags absent altogether: defaults


def test_tensorboard_reports_a_bad_flag_and_exits(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path), "--lossdoc_train_loss_tag", "(unclosed"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert out.returncode == 1
    assert "Error: --lossdoc_train_loss_tag is not a valid regular expression" in out.stderr


def test_tag_flags_name_unusual_loss_tags(tmp_path):
    steps = range(0, 1000, 10)
    write_scalars(
        tmp_path / "custom",
        {
            "objective/fit": [(s, 2.0 * math.exp(-s / 300) + 0.1) for s in steps],
            "objective/holdout": [(s, 0.6 + 0.6 * ((s - 400) / 600) ** 2) for s in steps],
        },
    )
    plain = Served(tmp_path).json(ROUTE + "/diagnoses")
    assert plain["runs"] == [] and [s["run"] for s in plain["skipped"]] == ["custom"]

    flags = make_flags(lossdoc_train_loss_tag=r"^objective/fit$", lossdoc_val_loss_tag=r"holdout")
    document = Served(tmp_path, flags=flags).json(ROUTE + "/diagnoses")
    (run,) = document["runs"]
    assert run["series"]["train_loss"]["tag"] == "objective/fit"
    assert run["series"]["val_loss"]["tag"] == "objective/holdout"
    assert run["verdict"] == "overfitting"


def test_sampling_hint_reaches_the_document(logdir):
    assert Served(logdir, sample_limit=0).json(ROUTE + "/diagnoses")["sampling"] == {"limit": None}
    assert Served(logdir, sample_limit=50).json(ROUTE + "/diagnoses")["sampling"] == {"limit": 50}


# ---- Single flight, revalidation, methods ---------------------------------------------


class SlowCountingProvider(CountingProvider):
    """The counting provider, with reads slowed so that concurrent requests overlap, and listings counted."""

    def __init__(self, multiplexer, logdir):
        super().__init__(multiplexer, logdir)
        self.listings = 0
        self.run_listings = 0

    def list_scalars(self, ctx=None, *, experiment_id, plugin_name, run_tag_filter=None):
        self.listings += 1
        return super().list_scalars(ctx, experiment_id=experiment_id, plugin_name=plugin_name, run_tag_filter=run_tag_filter)

    def list_runs(self, ctx=None, *, experiment_id):
        self.run_listings += 1
        return super().list_runs(ctx, experiment_id=experiment_id)

    def read_scalars(self, *args, **kwargs):
        time.sleep(0.5)
        return super().read_scalars(*args, **kwargs)


def concurrently(app, urls):
    """Responses to `urls`, each requested from its own thread at the same moment."""
    barrier = threading.Barrier(len(urls))
    responses = [None] * len(urls)

    def request(index, url):
        client = Client(app)
        barrier.wait()
        responses[index] = client.get(url)

    threads = [threading.Thread(target=request, args=(i, url)) for i, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return responses


def reloading_flags(seconds=5.0):
    flags = make_flags()
    flags.reload_interval = seconds  # what `tensorboard` passes (its own flag)
    return flags


def test_concurrent_requests_cause_one_read_and_one_listing(logdir, monkeypatch):
    monkeypatch.setattr(lossdoc_plugin, "MAX_LISTING_AGE", 60.0)
    served = Served(logdir, flags=reloading_flags(), provider_class=SlowCountingProvider)
    urls = [ROUTE + "/diagnoses", ROUTE + "/diagnoses?lang=zh", ROUTE + "/run?run=overfit"] * 4
    responses = concurrently(served.app, urls)
    assert [r.status_code for r in responses] == [200] * len(urls)
    assert len(served.provider.reads) == 1  # every changed run read once, for all twelve requests
    assert served.provider.reads[0] == ["healthy", "overfit"]
    assert served.provider.listings == 1  # the listing is taken once per reload interval
    bodies = {json.loads(r.get_data()).get("lang") for r in responses if "diagnoses" in r.request.url}
    assert bodies == {"en", "zh"}


def test_listing_is_taken_again_after_the_reload_interval(logdir):
    served = Served(logdir, flags=reloading_flags(1.0), provider_class=SlowCountingProvider)
    served.json(ROUTE + "/diagnoses")
    listed_at = time.monotonic()
    served.json(ROUTE + "/diagnoses")
    assert served.provider.listings == 1 or time.monotonic() - listed_at >= 1.0
    time.sleep(1.1)
    served.json(ROUTE + "/diagnoses")
    assert served.provider.listings == 2
    assert len(served.provider.reads) == 1  # nothing changed: nothing read again
    assert served.provider.run_listings == 1  # no run gained or lost scalars: the run list is kept


def test_a_new_run_is_listed_after_the_reload_interval(tmp_path):
    write_scalars(tmp_path / "healthy", healthy_curves())
    served = Served(tmp_path, flags=reloading_flags(1.0), provider_class=SlowCountingProvider)
    assert [r["run"] for r in served.json(ROUTE + "/diagnoses")["runs"]] == ["healthy"]
    write_scalars(tmp_path / "overfit", overfit_curves())
    served.multiplexer.AddRunsFromDirectory(str(tmp_path))
    served.multiplexer.Reload()
    time.sleep(1.1)
    assert sorted(r["run"] for r in served.json(ROUTE + "/diagnoses")["runs"]) == ["healthy", "overfit"]
    assert served.provider.run_listings == 2  # a run gained scalars: the run list is taken again


def test_etag_gives_304_until_a_run_changes(tmp_path, caplog):
    write_scalars(tmp_path / "healthy", healthy_curves())
    write_scalars(tmp_path / "overfit", overfit_curves())
    served = Served(tmp_path)
    first = served.get(ROUTE + "/diagnoses")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')
    with caplog.at_level(logging.WARNING, logger="tensorboard"):
        again = served.client.get(ROUTE + "/diagnoses", headers={"If-None-Match": etag})
    assert "Content-Type is required" not in caplog.text  # TensorBoard's security middleware is content
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert again.headers["Content-Type"].startswith("application/json")  # TensorBoard's middleware wants one
    weak = served.client.get(ROUTE + "/diagnoses", headers={"If-None-Match": "W/" + etag})
    assert weak.status_code == 304
    other = served.client.get(ROUTE + "/diagnoses", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and json.loads(other.get_data()) == json.loads(first.get_data())
    zh = served.client.get(ROUTE + "/diagnoses?lang=zh", headers={"If-None-Match": etag})
    assert zh.status_code == 200 and zh.headers["ETag"] != etag  # another language is another document

    run = served.get(ROUTE + "/run?run=healthy")
    assert run.headers["ETag"] not in (etag, zh.headers["ETag"])
    assert served.client.get(ROUTE + "/run?run=healthy", headers={"If-None-Match": run.headers["ETag"]}).status_code == 304

    writers.next_second()  # the new event file must sort after the first
    write_scalars(tmp_path / "healthy", diverging_tail())
    served.multiplexer.Reload()
    changed = served.client.get(ROUTE + "/diagnoses", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    verdicts = {r["run"]: r["verdict"] for r in json.loads(changed.get_data())["runs"]}
    assert verdicts["healthy"] != {r["run"]: r["verdict"] for r in json.loads(first.get_data())["runs"]}["healthy"]
    assert served.client.get(ROUTE + "/run?run=healthy", headers={"If-None-Match": run.headers["ETag"]}).status_code == 200


def test_gzip_is_sent_only_to_clients_that_accept_it(served):
    plain = served.get(ROUTE + "/diagnoses")
    assert "Content-Encoding" not in plain.headers
    packed = served.client.get(ROUTE + "/diagnoses", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.get_data())) == json.loads(plain.get_data())


ROUTES = ["/diagnoses", "/run?run=overfit", "/curves?run=overfit", "/index.js", "/nothing.js"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"])
@pytest.mark.parametrize("route", ROUTES)
def test_other_methods_are_405(served, route, method):
    response = served.client.open(ROUTE + route, method=method, data=b"x=1")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert response.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("route", ROUTES[:3])
def test_head_answers_like_get_without_a_body(served, route):
    head = served.client.head(ROUTE + route)
    get = served.get(ROUTE + route)
    assert head.status_code == get.status_code == 200
    assert head.get_data() == b""
    assert head.headers.get("ETag") == get.headers.get("ETag")


# ---- The list view, the run route and the command ------------------------------------------


def test_list_view_and_run_route_are_views_of_the_command_document(served, logdir):
    command = tb_lossdoc.diagnose(str(logdir))
    listed = served.json(ROUTE + "/diagnoses")
    assert listed["skipped"] == command["skipped"]
    assert [r["run"] for r in listed["runs"]] == [r["run"] for r in command["runs"]]
    for full, row in zip(command["runs"], listed["runs"]):
        assert served.json(ROUTE + "/run?run=" + full["run"]) == full  # exactly the command's entry
        assert {k: v for k, v in row.items() if k != "findings"} == {k: v for k, v in full.items() if k != "findings"}
        assert len(row["findings"]) == len(full["findings"]) >= 1
        for short, finding in zip(row["findings"], full["findings"]):
            assert set(short) >= {"code", "severity", "first_step", "last_step", "title"}
            assert not set(short) & {"detail", "actions", "evidence", "text"}
            assert short == {k: v for k, v in finding.items() if k not in ("detail", "actions", "evidence", "text")}
    zh = served.json(ROUTE + "/run?run=overfit&lang=zh")
    assert zh == next(r for r in tb_lossdoc.diagnose(str(logdir), lang="zh")["runs"] if r["run"] == "overfit")


@pytest.mark.parametrize("query", ["", "run=", "lang=en"])
def test_run_route_needs_a_run(served, query):
    assert served.get(ROUTE + "/run?" + query).status_code == 400


@pytest.mark.parametrize("run", ["nope", "no_loss", "overfit/extra", "%00", "%3Cimg%3E"])
def test_run_route_unknown_or_skipped_run_is_404(served, run):
    response = served.get(ROUTE + "/run?run=" + run)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/plain")


def test_run_route_bad_language_is_400(served):
    assert served.get(ROUTE + "/run?run=overfit&lang=fr").status_code == 400


# ---- Comparison columns and sparklines ---------------------------------------------------------


def test_columns_and_sparkline_come_from_the_written_curves(tmp_path):
    train = [(s, 2.0 * math.exp(-s / 300) + 0.1) for s in range(0, 1000)]
    val = [(s, 0.6 + 0.6 * ((s - 400) / 600) ** 2) for s in range(0, 1000, 10)]
    acc = [(s, 0.5 + 0.4 * s / 1000) for s in range(0, 1000, 10)]
    write_scalars(tmp_path / "run", {"Loss/train": train, "Loss/validation": val, "Accuracy/validation": acc})
    served = Served(tmp_path)
    (row,) = served.json(ROUTE + "/diagnoses")["runs"]
    assert row["series"]["val_acc"]["tag"] == "Accuracy/validation"
    assert row["columns"]["best_val_loss"] == pytest.approx(min(v for _, v in val), rel=1e-6)
    assert row["columns"]["best_val_acc"] == pytest.approx(max(v for _, v in acc), rel=1e-6)
    assert row["columns"]["final_train_loss"] == pytest.approx(train[-1][1], rel=1e-6)
    assert row["columns"]["steps"] == 999
    sketch = row["sparkline"]["train_loss"]
    assert len(sketch) == 32 and sketch[0][0] == 0 and sketch[-1][0] == 999
    steps = [s for s, _ in sketch]
    assert steps == sorted(set(steps))
    written = dict(train)
    assert all(v == pytest.approx(written[s], rel=1e-3) for s, v in sketch)
    assert len(row["sparkline"]["val_loss"]) == 32 and row["sparkline"]["val_loss"][-1][0] == 990


def test_short_and_non_finite_curves_in_columns_and_sparkline(tmp_path):
    train = [(s, 1.0 / (1 + s)) for s in range(20)] + [(20, float("nan")), (21, float("inf"))]
    write_scalars(tmp_path / "blowup", {"train_loss": train})
    served = Served(tmp_path)
    (row,) = served.json(ROUTE + "/diagnoses")["runs"]
    assert row["columns"] == {"best_val_loss": None, "best_val_acc": None, "final_train_loss": None, "steps": 21}
    assert len(row["sparkline"]["train_loss"]) == 22  # fewer than 32 points: all of them
    assert row["sparkline"]["train_loss"][-2:] == [[20, None], [21, None]]
    assert row["sparkline"]["val_loss"] == []


# ---- File notes -----------------------------------------------------------------------------------


def _event_file(folder):
    (name,) = [n for n in os.listdir(folder) if "tfevents" in n]
    return Path(folder) / name


def _cut(path, keep_bytes_of_last_record):
    """Cut `path` inside its last record, as a crash (or a writer mid-flush) leaves it."""
    data = path.read_bytes()
    offset = 0
    while True:
        (length,) = struct.unpack("<Q", data[offset:offset + 8])
        end = offset + 12 + length + 4
        if end >= len(data):
            break
        offset = end
    path.write_bytes(data[: offset + keep_bytes_of_last_record])


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_notes_of_a_truncated_file_reach_the_tab(tmp_path):
    write_scalars(tmp_path / "cut", healthy_curves())
    write_scalars(tmp_path / "clean", overfit_curves())
    path = _event_file(tmp_path / "cut")
    _cut(path, 20)
    _age(path, 3600)  # left like this an hour ago: truncated, not being written
    served = Served(tmp_path)
    served.plugin.health.wait()
    runs = {r["run"]: r for r in served.json(ROUTE + "/diagnoses")["runs"]}
    (note,) = runs["cut"]["notes"]
    assert note.startswith(path.name + ": truncated after ") and "cut short" in note
    assert runs["clean"]["notes"] == []
    assert served.json(ROUTE + "/run?run=cut")["notes"] == [note]
    command = {r["run"]: r for r in tb_lossdoc.diagnose(str(tmp_path))["runs"]}
    assert command["cut"]["notes"] == [note]


def test_an_empty_event_file_is_skipped_with_its_reason(tmp_path):
    write_scalars(tmp_path / "clean", overfit_curves())
    (tmp_path / "broken").mkdir()
    empty = tmp_path / "broken" / "events.out.tfevents.1700000000.host.1.0"
    empty.write_bytes(b"")
    _age(empty, 3600)
    served = Served(tmp_path)
    served.plugin.health.wait()
    document = served.json(ROUTE + "/diagnoses")
    assert [r["run"] for r in document["runs"]] == ["clean"]
    (skipped,) = document["skipped"]
    assert skipped["run"] == "broken" and "empty event file" in skipped["reason"]
    assert document["skipped"] == tb_lossdoc.diagnose(str(tmp_path))["skipped"]


def test_a_file_still_being_written_is_not_truncated(tmp_path):
    write_scalars(tmp_path / "live", healthy_curves())
    path = _event_file(tmp_path / "live")
    whole = path.read_bytes()
    _cut(path, 20)
    tail = whole[len(path.read_bytes()):]  # the rest of the last record, not yet flushed
    served = Served(tmp_path)
    served.plugin.health.wait()
    (run,) = served.json(ROUTE + "/diagnoses")["runs"]
    assert run["notes"] == []  # a growing tail, written a moment ago

    later = HealthScanner(str(tmp_path), interval=0, clock=lambda: time.time() + IN_PROGRESS_SECONDS + 1)
    (note,) = later.scan()["live"]  # the same tail, left alone too long: truncated
    assert "truncated" in note

    with open(path, "ab") as handle:  # the writer finishes the record
        handle.write(tail)
    assert later.scan() == {}


def test_notes_change_the_etag(tmp_path):
    write_scalars(tmp_path / "run", healthy_curves())
    served = Served(tmp_path, flags=reloading_flags(0.1))
    served.plugin.health.wait()
    before = served.get(ROUTE + "/diagnoses")
    path = _event_file(tmp_path / "run")
    _cut(path, 20)
    _age(path, 3600)
    time.sleep(0.2)
    served.plugin.health.problems()  # due again: a new scan starts off the request path
    served.plugin.health.wait()
    after = served.client.get(ROUTE + "/diagnoses", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert json.loads(after.get_data())["runs"][0]["notes"] != []
