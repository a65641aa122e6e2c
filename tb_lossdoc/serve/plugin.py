"""The Diagnosis tab's backend: thin HTTP routes over `tb_lossdoc.analysis.Analyzer`.

Routes (under `/data/plugin/lossdoc/`, see `http_api.md`):

- `diagnoses[?lang=en|zh]`: the document's list view (findings without their
  detail) for every run of the experiment;
- `run?run=NAME[&lang=en|zh]`: one run's full entry, as in the command's document;
- `curves?run=RUN[&max_points=N]`: downsampled points of one training run;
- `index.js` and the tab's other `*.js` / `*.css` files from `static/`.

Every route answers GET and HEAD only (405 otherwise); `diagnoses` and `run`
carry an `ETag` and answer `If-None-Match` with 304 while nothing changed.

The plugin knows nothing of statistics: data comes from `context.data_provider`
and every judgement from the one `Analyzer` this instance keeps (its per-run
cache makes reopening the tab instant and refreshes a run when it grows). What
is built from one listing is built once however many requests wait for it
(`cache.py`); a large batch of changed runs is built in worker processes beside
the request thread (`analysis_workers.py`), with TensorBoard's own long-lived
objects kept out of the garbage collector's walks (`collector.py`); file notes
come from a background scan of local event files (`health.py`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import uuid
from typing import Optional

from werkzeug import wrappers

from tensorboard import context as tb_context
from tensorboard import errors
from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.plugins import base_plugin

from ..analysis import Analyzer, Listing, Options, take_listing
from ..analysis_workers import AnalysisWorkers
from ..read.curves import TagPatterns
from . import views
from .cache import ExperimentCache, ExperimentCaches
from .collector import collection_paused, freeze_long_lived
from .health import HealthScanner, is_local_logdir
from .loader import LANGUAGES, settings_from_flags
from .render import DocumentRenderer

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

ALLOWED_METHODS = ("GET", "HEAD")
# The listing is taken at most this often (and at most once per --reload_interval):
# data TensorBoard has loaded reaches the tab within this many seconds.
MAX_LISTING_AGE = 2.0
# How often the file-health scan runs when TensorBoard loads only once (--reload_interval=0).
DEFAULT_SCAN_INTERVAL = 5.0
LIST_VIEW, RUN_VIEW, FULL_DOCUMENT = "list", "run", "document"


def get_only(handler):
    """Answer 405 (with `Allow: GET, HEAD`) to any method but GET and HEAD."""

    @functools.wraps(handler)
    def route(self, request):
        if request.method not in ALLOWED_METHODS:
            return http_util.Respond(
                request,
                "Method not allowed: %s (use GET or HEAD)\n" % _short(request.method),
                "text/plain",
                code=405,
                headers=[("Allow", ", ".join(ALLOWED_METHODS))],
            )
        return handler(self, request)

    return route


class NotModified(wrappers.Response):
    """A 304 that keeps its Content-Type, which werkzeug strips from 304s but TensorBoard's
    security middleware requires on every response (a warning now, an error in TensorBoard 3)."""

    def get_wsgi_headers(self, environ):
        headers = super().get_wsgi_headers(environ)
        headers.setdefault("Content-Type", self.headers["Content-Type"])
        return headers


def not_modified(request, headers) -> NotModified:
    """304 with TensorBoard's usual headers (nosniff, no-cache) from `http_util.Respond`."""
    response = http_util.Respond(request, b"", JSON, code=304, content_encoding="identity", headers=headers)
    return NotModified(b"", status=304, headers=response.headers)


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
        reload_interval = getattr(context.flags, "reload_interval", None) or 0
        self._caches = ExperimentCaches(listing_age=min(reload_interval, MAX_LISTING_AGE))
        # Part of every ETag: a restarted server (maybe a newer LossDoc) never matches an old one.
        self._instance = uuid.uuid4().hex
        self._renderer = DocumentRenderer()
        self.health: Optional[HealthScanner] = None
        if is_local_logdir(context.logdir):
            self.health = HealthScanner(context.logdir, interval=reload_interval or DEFAULT_SCAN_INTERVAL)
            self.health.problems()  # the first scan starts now, before the tab asks
        self._analyzer = Analyzer(
            Options(
                lang=settings.lang,
                patterns=TagPatterns(train_loss=settings.train_loss_tag, val_loss=settings.val_loss_tag),
                sample_limit=sample_limit,
            ),
            workers=AnalysisWorkers(),
        )

    # ---- TensorBoard's plugin interface -------------------------------------

    def get_plugin_apps(self):
        return {
            "/diagnoses": self._serve_diagnoses,
            "/run": self._serve_run,
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

    def curves_impl(self, ctx, experiment_id: str, run: str, max_points: int) -> dict:
        """Points of one training run's curves; `NotFoundError` for an unknown run."""
        listing = self._listing(self._caches.of(experiment_id), ctx, experiment_id)
        result = self._analyzer.curves(self._provider, ctx, experiment_id, run, max_points, listing)
        if result is None:
            raise errors.NotFoundError("no training run named %r" % run)
        return result

    # ---- What the document routes share: one listing, one build, one ETag ----

    def _listing(self, cache: ExperimentCache, ctx, experiment_id: str) -> Listing:
        return cache.listing(lambda previous: take_listing(self._provider, ctx, experiment_id, previous))

    def _file_problems(self):
        return self.health.problems() if self.health is not None else (0, {})

    def _respond_cached(self, request, view: str, lang: str, run: Optional[str] = None):
        """A view of the document with its ETag: 304 when the client holds it, else its body, built once."""
        ctx = plugin_util.context(request.environ)
        experiment_id = plugin_util.experiment_id(request.environ)
        cache = self._caches.of(experiment_id)
        listing = self._listing(cache, ctx, experiment_id)
        version, problems = self._file_problems()
        state = (listing.fingerprint, version)
        etag = self._etag(state, view, lang, run)
        headers = [("ETag", '"%s"' % etag)]
        if request.if_none_match.contains_weak(etag):
            return not_modified(request, headers)

        def document() -> dict:
            return cache.built(
                state,
                (FULL_DOCUMENT, lang),
                lambda: self._analyzer.document(
                    self._provider, ctx, experiment_id, lang=lang, file_problems=problems, listing=listing
                ),
            )

        def body():
            freeze_long_lived()
            with collection_paused():
                if view == LIST_VIEW:
                    return self._renderer.document(views.list_view(document()))
                entry = views.run_entry(document(), run)
            if entry is None:  # raised, not kept: unknown names cost no memory
                raise errors.NotFoundError("no diagnosed run named %r" % _short(run))
            return self._renderer.entry(entry)

        gzipped = cache.built(state, (view, lang, run), body).gzipped
        return http_util.Respond(request, gzipped, JSON, content_encoding="gzip", headers=headers)

    def _etag(self, state, view: str, lang: str, run: Optional[str]) -> str:
        """The (unquoted) ETag of one view of one state of the experiment, unique to this server process."""
        key = repr((self._instance, state, view, lang, run)).encode("utf-8", "surrogatepass")
        return hashlib.sha1(key).hexdigest()

    # ---- Routes ---------------------------------------------------------------

    @wrappers.Request.application
    @get_only
    def _serve_diagnoses(self, request):
        return self._respond_cached(request, LIST_VIEW, self._language(request))

    @wrappers.Request.application
    @get_only
    def _serve_run(self, request):
        return self._respond_cached(request, RUN_VIEW, self._language(request), _required_run(request, "run?run=NAME"))

    def _language(self, request) -> str:
        lang = request.args.get("lang")
        if lang is None:
            return self._lang
        if lang not in LANGUAGES:
            raise errors.InvalidArgumentError(
                "lang must be one of %s, got %r" % (", ".join(LANGUAGES), _short(lang))
            )
        return lang

    @wrappers.Request.application
    @get_only
    def _serve_curves(self, request):
        run = _required_run(request, "curves?run=RUN")
        max_points = _max_points(request.args.get("max_points"))
        body = self.curves_impl(
            plugin_util.context(request.environ),
            plugin_util.experiment_id(request.environ),
            run,
            max_points,
        )
        return http_util.Respond(request, body, JSON)

    @wrappers.Request.application
    @get_only
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


def _required_run(request, usage: str) -> str:
    """The `run` query parameter, or a 400 that shows the route's usage."""
    run = request.args.get("run")
    if not run:
        raise errors.InvalidArgumentError("the run parameter is required: " + usage)
    return run
