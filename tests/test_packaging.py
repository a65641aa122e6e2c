"""The wheel and the sdist build, install into a fresh virtualenv and run there.

Dependencies come from the test environment (a `.pth` file points the new
virtualenv at its site-packages), so nothing is downloaded but the build backend.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    return out


def _fresh_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(purelib, "zz_test_deps.pth").write_text("\n".join(deps) + "\n")
    return python


def test_wheel_holds_the_tab_the_schema_and_the_licence(dist):
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in ("tb_lossdoc/static/index.js", "tb_lossdoc/static/style.css",
                   "tb_lossdoc/schema/diagnosis-v1.json", "tb_lossdoc/serve/http_api.md"):
        assert wanted in names
    assert not any(n.startswith("tb_lossdoc/static/dev/") for n in names), "the dev harness is not shipped"
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: Apache-2.0" in text or "License: Apache-2.0" in text
    assert "Classifier: Framework :: TensorBoard" in text
    assert "Project-URL: " in text
    assert any(n.endswith("LICENSE") for n in names)


@pytest.mark.parametrize("kind", ["*.whl", "*.tar.gz"])
def test_installs_and_runs_in_a_fresh_virtualenv(dist, tmp_path, kind):
    (artifact,) = dist.glob(kind)
    python = _fresh_venv(tmp_path / "venv")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", str(artifact)],
        check=True, capture_output=True, timeout=600,
    )
    done = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "tb-lossdoc"), str(ROOT / "demo_logs"), "--format", "json"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    assert len(document["runs"]) > 30
    probe = (
        "import json, importlib.metadata as md, pathlib, tb_lossdoc; "
        "(ep,) = [e for e in md.entry_points(group='tensorboard_plugins') if e.name == 'lossdoc']; "
        "loader = ep.load(); pkg = pathlib.Path(tb_lossdoc.__file__).parent; "
        "print(json.dumps([loader.__name__, str(pkg), (pkg / 'static' / 'index.js').is_file()]))"
    )
    out = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path)
    name, package_dir, has_index = json.loads(out.stdout)
    assert name == "LossDocLoader" and has_index
    assert package_dir.startswith(str(tmp_path)), "imported the installed copy, not the source tree"
