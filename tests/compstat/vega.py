"""Compile and render a Vega-Lite spec with the Vega-Lite and Vega the web app ships (node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RENDER = """
import * as vl from 'vega-lite';
import * as vega from 'vega';
import { readFileSync } from 'node:fs';
const spec = JSON.parse(readFileSync(0, 'utf8'));
const warnings = [];
const logger = {
  level() { return this; },
  warn(...args) { warnings.push(args.join(' ')); return this; },
  info() { return this; },
  debug() { return this; },
  error(...args) { warnings.push('error: ' + args.join(' ')); return this; },
};
const compiled = vl.compile(spec, { logger }).spec;
const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
const svg = await view.toSVG();
process.stdout.write(JSON.stringify({ warnings, svg }));
"""


def render(spec: dict[str, Any]) -> tuple[list[str], str]:
    """Vega-Lite's and Vega's warnings for ``spec``, and the SVG it draws."""
    if shutil.which("node") is None or not (ROOT / "node_modules" / "vega-lite").exists():
        pytest.skip("needs node and the front-end packages ('make npm')")
    done = subprocess.run(
        ["node", "--input-type=module", "-e", RENDER],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    return list(result["warnings"]), str(result["svg"])
