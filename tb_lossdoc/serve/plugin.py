"""The Diagnosis tab's backend: thin HTTP routes over `tb_lossdoc.analysis.Analyzer`.

Routes (under `/data/plugin/lossdoc/`, see `http_api.md`):

- `diagnoses[?lang=en|zh]`: the DESIGN.md §3 document for the experiment;
- `curves?run=RUN[&max_points=N]`: downsampled points of one training run;
- `index.js` and the tab's other `*.js` / `*.css` files from `static/`.

The plugin knows nothing of statistics: data comes from `context.data_provider`
and every judgement from the one `Analyzer` this instance keeps (its per-run
cache makes reopening the tab instant and refreshes a run when it grows).
"""

from __future__ import annotations

import os
import re

from werkzeug import wrappers

from tensorboard import context as tb_context
from tensorboard import errors
from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.plugins import base_plugin

from ..analysis import Analyzer, Options
from ..read.curves import TagPatterns
from .loader import LANGUAGES, settings_from_flags

PLUGIN_NAME = "lossdoc"
SCALARS_PLUGIN = "scalars"
# TensorBoard's own reservoir size for scalars when --samples_per_plugin is silent.
DEFAULT_SAMPLE_LIMIT = 1000

DEFAULT_MAX_POINTS = 1000
MIN_MAX_POINTS = 10
MAX_MAX_POINTS = 5000

STATIC_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static")
# Where TensorBoard mounts this plugin's routes (application.DATA_PREFIX + PLUGIN_PREFIX).
ROUTE_PREFIX = "/data/plugin/%s/" % PLUGIN_NAME
STATIC_NAME = re.compile(r"[A-Za-z0-9_.-]+\.(js|css)")
CONTENT_TYPES = {"js": "text/javascript", "css": "text/css"}
JSON = "application/json"
_DIGITS = re.compile(r"[0-9]{1,9}")


class LossDocPlugin(base_plugin.TBPlugin):
    """The Diagnosis tab: a verdict, findings and best step for each training run."""

    plugin_name = PLUGIN_NAME

    def __init__(self, context):
        settings = settings_from_flags(context.flags)
        hints = context.sampling_hints or {}
        sample_limit = hints.get(SCALARS_PLUGIN)
        if sample_limit is None:
            sample_limit = DEFAULT_SAMPLE_LIMIT
        if context.data_provider is None:
            raise ValueError("LossDoc reads scalars through TensorBoard's data provider; none was given")
        self._provider = context.data_provider
        self._lang = settings.lang
        self._analyzer = Analyzer(
            Options(
                lang=settings.lang,
                patterns=TagPatterns(train_loss=settings.train_loss_tag, val_loss=settings.val_loss_tag),
                sample_limit=sample_limit,
            )
        )

    # ---- TensorBoard's plugin interface -------------------------------------

    def get_plugin_apps(self):
        return {
            "/diagnoses": self._serve_diagnoses,
            "/curves": self._serve_curves,
            "/index.js": self._serve_static,
            "/*": self._serve_static,
        }

    def is_active(self):
        """Whether any scalars exist (TensorBoard asks only when its listing says no)."""
        try:
            plugins = self._provider.list_plugins(tb_context.RequestContext(), experiment_id="")
        except Exception:  # a provider that cannot list: the tab stays hidden
            return False
        return SCALARS_PLUGIN in (plugins or ())

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/index.js", tab_name="Diagnosis")

    def data_plugin_names(self):
        return (SCALARS_PLUGIN,)

    # ---- Pure parts: request values in, data out ----------------------------

    def diagnoses_impl(self, ctx, experiment_id: str, lang: str) -> dict:
        """The DESIGN.md §3 document (plus `lang`, `sampling`, per-run texts)."""
        return self._analyzer.document(self._provider, ctx, experiment_id, lang=lang)

    def curves_impl(self, ctx, experiment_id: str, run: str, max_points: int) -> dict:
        """Points of one training run's curves; `NotFoundError` for an unknown run."""
        result = self._analyzer.curves(self._provider, ctx, experiment_id, run, max_points)
        if result is None:
            raise errors.NotFoundError("no training run named %r" % run)
        return result

    # ---- Routes ---------------------------------------------------------------

    @wrappers.Request.application
    def _serve_diagnoses(self, request):
        lang = request.args.get("lang")
        if lang is None:
            lang = self._lang
        elif lang not in LANGUAGES:
            raise errors.InvalidArgumentError(
                "lang must be one of %s, got %r" % (", ".join(LANGUAGES), _short(lang))
            )
        body = self.diagnoses_impl(
            plugin_util.context(request.environ), plugin_util.experiment_id(request.environ), lang
        )
        return http_util.Respond(request, body, JSON)

    @wrappers.Request.application
    def _serve_curves(self, request):
        run = request.args.get("run")
        if not run:
            raise errors.InvalidArgumentError("the run parameter is required: curves?run=RUN")
        max_points = _max_points(request.args.get("max_points"))
        body = self.curves_impl(
            plugin_util.context(request.environ),
            plugin_util.experiment_id(request.environ),
            run,
            max_points,
        )
        return http_util.Respond(request, body, JSON)

    @wrappers.Request.application
    def _serve_static(self, request):
        path = request.path
        name = path[len(ROUTE_PREFIX):] if path.startswith(ROUTE_PREFIX) else ""
        filename = static_file(name)
        if filename is None:
            raise errors.NotFoundError("no such file")
        with open(filename, "rb") as infile:
            content = infile.read()
        extension = name.rsplit(".", 1)[1]
        return http_util.Respond(request, content, CONTENT_TYPES[extension])


def static_file(name: str):
    """The path of the tab's asset `name`, or None unless it is a plain js/css file in static/."""
    if not name or not STATIC_NAME.fullmatch(name) or ".." in name or "/" in name or "\\" in name:
        return None
    root = os.path.realpath(STATIC_DIR)
    filename = os.path.realpath(os.path.join(root, name))
    if os.path.dirname(filename) != root or not os.path.isfile(filename):
        return None
    return filename


def _max_points(text):
    if text is None:
        return DEFAULT_MAX_POINTS
    value = int(text) if _DIGITS.fullmatch(text) else None
    if value is None or not MIN_MAX_POINTS <= value <= MAX_MAX_POINTS:
        raise errors.InvalidArgumentError(
            "max_points must be an integer from %d to %d, got %r"
            % (MIN_MAX_POINTS, MAX_MAX_POINTS, _short(text))
        )
    return value


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
