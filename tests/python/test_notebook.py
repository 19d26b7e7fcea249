"""Executes examples/cuda_kernels.ipynb top to bottom, as a reader would, and checks its results.

The notebook runs in a fresh python3 kernel started from this interpreter (the .venv, where ember
is installed), through nbclient; any cell that raises fails the test.  The numbers the notebook
prints are then checked against values computed here from the notebook's own sizes: the saxpy
checksum, the block reduction, the histogram's count; the Mandelbrot kernel against its NumPy
twin, the tiled matmul against ``a @ b``, the PTX's barriers and target, and a plotted image.
Timings the notebook prints are not checked.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is installed by requirements-dev.txt")
nbclient = pytest.importorskip("nbclient", reason="nbclient is installed by requirements-dev.txt")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "cuda_kernels.ipynb"
CELL_TIMEOUT_S = 600  # a loaded 2-core machine compiling with EMBER_VERIFY=1 is slow, not stuck

# Appended to the notebook for the test only: the interpreter the kernel runs and the sizes the
# expected values are computed from.
PROBE = 'import json, sys; print("probe:", json.dumps({"python": sys.executable, "n": n}))'


def cell_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out["text"])
        elif "data" in out and "text/plain" in out["data"]:
            parts.append(out["data"]["text/plain"])
    return "".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notebook")
    # A python3 kernelspec naming this interpreter, first on JUPYTER_PATH, so that no system-wide
    # python3 kernel is picked instead; the kernel's own state goes to the temporary directory.
    spec = tmp / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ember's venv)", "language": "python"}))
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(tmp / "jupyter"))
    patch.setenv("JUPYTER_RUNTIME_DIR", str(tmp / "runtime"))
    patch.setenv("IPYTHONDIR", str(tmp / "ipython"))
    patch.setenv("MPLCONFIGDIR", str(tmp / "matplotlib"))
    patch.setenv("MPLBACKEND", "Agg")
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                                         resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        client.execute()  # raises CellExecutionError naming the cell when one fails
    finally:
        patch.undo()
    text = "\n".join(cell_text(c) for c in nb.cells if c.cell_type == "code")
    probe = json.loads(re.search(r"^probe: (.*)$", text, re.M).group(1))
    return nb, text, probe


def number(text: str, pattern: str) -> int:
    match = re.search(pattern, text)
    assert match, f"the notebook printed no line matching {pattern!r}"
    return int(match.group(1))


def test_runs_in_this_interpreter_on_a_detected_path(executed):
    nb, text, probe = executed
    assert Path(probe["python"]).resolve() == Path(sys.executable).resolve()
    assert "ember.cuda:" in text and "kernels run" in text  # cuda.detect() said where


def test_saxpy_and_block_reduction_give_the_exact_sums(executed):
    _, text, probe = executed
    n = probe["n"]
    assert number(text, r"saxpy checksum: (\d+)") == n * n
    assert number(text, r"block-reduction sum: (\d+)") == n * (n - 1) // 2


def test_mandelbrot_and_matmul_match_numpy(executed):
    _, text, _ = executed
    assert number(text, r"pixels differing from NumPy: (\d+)") == 0
    assert 0 < number(text, r"pixels inside the set: (\d+)") < 384 * 256
    assert "matmul matches a @ b: True" in text


def test_atomic_histogram_counts_every_draw_inside_its_range(executed):
    _, text, _ = executed
    draws = number(text, r"draws: (\d+)")
    counted = number(text, r"counted in \[-4, 4\): (\d+)")
    # P(|z| >= 4) is 6.3e-5: at most a few hundred of a million draws fall outside.
    assert 0.999 * draws <= counted <= draws
    mean = float(re.search(r"sample mean: ([-+0-9.]+)", text).group(1))
    assert abs(mean) < 0.01


def test_ptx_is_shown(executed):
    _, text, _ = executed
    assert number(text, r"(\d+) bar\.sync") >= 2
    assert number(text, r"(\d+) ld\.shared") >= 1
    assert ".target sm_90" in text
    assert "return type: none" in text


def test_a_figure_is_plotted(executed):
    nb, _, _ = executed
    images = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
    assert len(images) == 1
