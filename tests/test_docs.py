"""The documentation's Python runs and prints what it says it prints.

Every page (README.md and docs/*.rst) is run as a new user would read it: its Python
blocks in order, in one fresh interpreter per page, so that a page may build on its
own earlier blocks but never on another page's. The test fails naming the page, the
block and its line, with the traceback.

Which blocks are Python
    - reStructuredText: ``.. code-block:: python`` (also ``py``, ``python3``, and the
      ``code`` and ``sourcecode`` spellings), and every literal block that names no
      language: a paragraph ending in ``::`` and ``.. code-block::`` without an
      argument. Sphinx highlights those as Python (``highlight_language`` is left at
      its default), so the test runs them as Python; a ``.. highlight:: <language>``
      directive changes that for the rest of the page, as it does for Sphinx. A shell
      command or a message therefore needs ``.. code-block:: bash`` (or ``text``,
      ``console``, ...), which the test does not run.
    - Markdown (README.md): fences opened with ```python (or ```py, ```python3).
    - Interactive forms (``>>>`` doctest blocks, ``pycon``, ``ipython``) are refused:
      write a plain Python block, and its output in an output block (below).

Markers (an rST comment, or an HTML comment in Markdown), each on its own line
before the block it is about, followed by a blank line:
    - ``.. skdeep-docs: skip — <reason>``: the next Python block is not run, for the
      reason given (a block that needs a real cluster, say). A marker without a
      reason fails the test.
    - ``.. skdeep-docs: output``: the next block (usually ``.. code-block:: text``) is
      what the Python block before it prints, and must equal it, line for line
      (trailing spaces aside). ``...`` in it matches any text, as doctest's ELLIPSIS
      does: use it for what varies from run to run or machine to machine.

A block that imports an optional package the test extra installs (dask, matplotlib,
skops, ...; see OPTIONAL) is not run where that package is missing, nor are the
blocks after it on its page: the page's test is then skipped, as the other tests
skip. A missing package that no extra installs fails the test.

Each page runs in a temporary directory (pages write files: model.pkl, model.onnx,
...) with matplotlib's Agg backend and one BLAS thread, the test suite's setting.
RuntimeWarnings are errors there, as in the suite, but for a search's
FitFailedWarning. Pages keep their examples small (few epochs, small data), so that
the whole module stays under a minute.

The troubleshooting page is checked further: every message it quotes is produced by
the call it describes and compared with the quote (the end of this module).
"""

import ast
import dataclasses
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import skdeep

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.rst")])
PYTHON = {"python", "py", "python3"}
INTERACTIVE = {"pycon", "ipython", "ipython3"}
# a page's longest run is a few seconds; this only turns a hang into a failure
TIMEOUT = 300
# What the test extra installs (and sklearn.callback, new in scikit-learn 1.9): a
# block that imports one of them, where it is missing, is not run, nor are the blocks
# after it on its page, and the page's test is skipped, as the other tests skip. Any
# other import that fails fails the test: a page may not use what no extra installs.
OPTIONAL = {
    "dask", "distributed", "dask_ml", "matplotlib", "pandas", "rich", "skops", "skl2onnx", "onnx", "onnxruntime",
    "sklearn.callback",
}  # fmt: skip


class DocsFormatError(ValueError):
    """A page uses a form of code block or marker that the rules above refuse."""


@dataclasses.dataclass
class Block:
    page: str
    line: int  # 1-based line of the directive, fence or ``::`` paragraph
    language: str
    code: str
    skip: str | None = None  # the reason it is not run
    is_output: bool = False  # claims the previous Python block's output

    @property
    def runs(self):
        return self.language in PYTHON and self.skip is None

    @property
    def name(self):
        return f"{self.page}, line {self.line}"


# -- extracting the blocks -------------------------------------------------------------

MARKER = re.compile(r"^\s*(?:\.\.|<!--)\s*skdeep-docs:\s*(\S+)(.*?)\s*(?:-->)?\s*$")
DIRECTIVE = re.compile(r"^(\s*)\.\.\s+(?:code-block|code|sourcecode)::\s*(\S*)\s*$")
HIGHLIGHT = re.compile(r"^\s*\.\.\s+highlight::\s*(\S+)\s*$")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")


def _indent(line):
    return len(line) - len(line.lstrip())


def _ends_paragraph_with_literal(line):
    """Whether ``line`` ends a paragraph that introduces a literal block: it ends in
    '::' but is no directive ('.. note::') and no title underline of colons."""
    text = line.strip()
    return text.endswith("::") and not text.startswith("..") and (text == "::" or set(text) != {":"})


def _marker(match, page, lineno):
    """('skip', reason) or ('output', None) from a marker's regex match."""
    kind, rest = match.group(1), match.group(2)
    if kind == "skip":
        reason = rest.strip().lstrip("—–-:").strip()
        if not reason:
            raise DocsFormatError(
                f"{page}, line {lineno}: a skip marker must give its reason: '.. skdeep-docs: skip — <reason>'"
            )
        return "skip", reason
    if kind == "output" and not rest.strip():
        return "output", None
    raise DocsFormatError(f"{page}, line {lineno}: unknown marker {match.group(0).strip()!r}")


def _normalize(language):
    language = language.lower()
    return "python" if language in PYTHON or language == "default" else language


def _pending_marker(line, pending, page, lineno):
    """The marker on this line (lineno counts from 1), as the one pending for the
    next block; a marker already pending means two markers with no block between."""
    if pending is not None:
        raise DocsFormatError(f"{page}, line {pending[2]}: marker followed by another marker, not a block")
    return (*_marker(MARKER.match(line), page, lineno), lineno)


def rst_blocks(text, page="<page>"):
    """The literal and code blocks of a reStructuredText page, in order, with the
    markers applied. Raises DocsFormatError for a refused form or a stray marker."""
    lines = text.splitlines()
    default = "python"  # Sphinx's highlight_language 'default' lexes as Python
    blocks, pending, i = [], None, 0
    while i < len(lines):
        line = lines[i]
        if MARKER.match(line):
            pending, i = _pending_marker(line, pending, page, i + 1), i + 1
            continue
        if highlight := HIGHLIGHT.match(line):
            default = _normalize(highlight.group(1))
            i += 1
            continue
        directive = DIRECTIVE.match(line)
        if directive:
            indent, language = len(directive.group(1)), _normalize(directive.group(2) or default)
        elif _ends_paragraph_with_literal(line):
            indent, language = _indent(line), default
        else:
            if line.lstrip().startswith(">>>"):
                raise DocsFormatError(
                    f"{page}, line {i + 1}: a '>>>' doctest block is not run; write a Python block and its output block"
                )
            i += 1
            continue
        if language in INTERACTIVE:
            raise DocsFormatError(
                f"{page}, line {i + 1}: a '{language}' block is not run; write a Python block and its output block"
            )
        j, body = i + 1, []
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > indent):
            body.append(lines[j])
            j += 1
        code = textwrap.dedent("\n".join(body)).strip("\n").splitlines()
        if directive:  # drop the directive's options (:linenos:, :caption: ...)
            while code and re.match(r"^:[\w-]+:", code[0]):
                code.pop(0)
        blocks.append(_block(page, i + 1, language, "\n".join(code).strip("\n") + "\n", pending))
        pending, i = None, j
    return _check(blocks, pending, page)


def markdown_blocks(text, page="<page>"):
    """The fenced code blocks of a Markdown page, in order, with the markers applied."""
    lines = text.splitlines()
    blocks, pending, i = [], None, 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if MARKER.match(lines[i]):
            pending, i = _pending_marker(lines[i], pending, page, i + 1), i + 1
            continue
        if not fence:
            i += 1
            continue
        indent, ticks, language = len(fence.group(1)), fence.group(2), _normalize(fence.group(3) or "text")
        if language in INTERACTIVE:
            raise DocsFormatError(
                f"{page}, line {i + 1}: a '{language}' block is not run; write a Python block and its output block"
            )
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(ticks):
            j += 1
        code = textwrap.dedent(
            "\n".join(line[indent:] if line[:indent].isspace() else line for line in lines[i + 1 : j])
        )
        blocks.append(_block(page, i + 1, language, code.strip("\n") + "\n", pending))
        pending, i = None, j + 1
    return _check(blocks, pending, page)


def _block(page, line, language, code, pending):
    block = Block(page, line, language, code)
    if pending is not None:
        kind, reason, marker_line = pending
        if kind == "skip":
            if language not in PYTHON:
                raise DocsFormatError(f"{page}, line {marker_line}: a skip marker before a '{language}' block")
            block.skip = reason
        else:
            if language in PYTHON:
                raise DocsFormatError(
                    f"{page}, line {marker_line}: an output marker must come before a text block, not a Python block"
                )
            block.is_output = True
    return block


def _check(blocks, pending, page):
    if pending is not None:
        raise DocsFormatError(f"{page}, line {pending[2]}: a marker with no block after it")
    last = None
    for block in blocks:
        if block.is_output and (last is None or not last.runs):
            raise DocsFormatError(
                f"{block.name}: an output block must follow a Python block that runs"
                + ("" if last is None else f" (the one at line {last.line} is skipped)")
            )
        if block.language in PYTHON:
            last = block
    return blocks


def page_blocks(path):
    text = Path(path).read_text(encoding="utf-8")
    try:
        page = str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        page = str(path)
    return (markdown_blocks if str(path).endswith(".md") else rst_blocks)(text, page)


# -- running a page -------------------------------------------------------------------

# Run in a fresh interpreter: the blocks are executed one after another in __main__'s
# namespace, as the lines of one script would be (so a class a block defines pickles).
DRIVER = r"""
def _run(blocks_file, result_file):
    import contextlib, io, json, linecache, sys, time, traceback, warnings

    # as in the test suite: a leaked NumPy RuntimeWarning (overflow, ...) is a bug;
    # a search's FitFailedWarning, a RuntimeWarning too, is what a page may show (its
    # message, not its class: importing scikit-learn here would slow every page)
    warnings.simplefilter("error", RuntimeWarning)
    warnings.filterwarnings("default", message=r"\s*\d+ fits failed out of a total of", category=RuntimeWarning)
    namespace = vars(sys.modules["__main__"])
    with open(blocks_file) as f:
        blocks = json.load(f)
    result = {"outputs": [], "seconds": [], "failed": None, "error": None}
    for k, block in enumerate(blocks):
        name = "<" + block["name"] + ">"
        linecache.cache[name] = (len(block["code"]), None, block["code"].splitlines(True), name)
        out, start = io.StringIO(), time.perf_counter()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block["code"], name, "exec"), namespace)
        except BaseException:
            result["failed"], result["error"] = k, traceback.format_exc()
            break
        finally:
            result["outputs"].append(out.getvalue())
            result["seconds"].append(time.perf_counter() - start)
    with open(result_file, "w") as f:
        json.dump(result, f)

_run(*__import__("sys").argv[1:])
"""


def run_blocks(blocks, cwd):
    """Run ``blocks`` in one fresh interpreter in ``cwd``; return the driver's
    result: the stdout and seconds of each block, and the failing block's index and
    traceback, if one failed."""
    cwd = Path(cwd)
    (cwd / "_blocks.json").write_text(json.dumps([{"name": b.name, "code": b.code} for b in blocks]))
    env = {
        **os.environ,
        # the skdeep this test imports, not whichever is installed
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(skdeep.__file__).parents[1]), os.environ.get("PYTHONPATH")])
        ),
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    process = subprocess.run(
        [sys.executable, "-c", DRIVER, "_blocks.json", "_result.json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,  # a failing block is reported from the result file
    )
    result_file = cwd / "_result.json"
    if not result_file.exists():  # the interpreter itself died
        return {"outputs": [], "failed": 0, "error": f"exit code {process.returncode}\n{process.stderr}"}
    result = json.loads(result_file.read_text())
    result["stderr"] = process.stderr
    return result


def output_matches(claimed, printed):
    """Whether an output block's text is what was printed: line for line, trailing
    spaces and blank lines aside, with ``...`` matching any text."""

    def norm(text):
        return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())

    claimed, printed = norm(claimed), norm(printed)
    pattern = ".*?".join(re.escape(part) for part in claimed.split("..."))
    return re.fullmatch(pattern, printed, flags=re.DOTALL) is not None


def missing_optional(code):
    """The first module of the optional ones that ``code`` imports and that is not
    installed, or None."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # running the block reports it
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            for optional in OPTIONAL:
                if name == optional or name.startswith(optional + "."):
                    try:
                        found = importlib.util.find_spec(optional) is not None
                    except ImportError:
                        found = False
                    if not found:
                        return optional
    return None


def check_page(path, cwd):
    """Run one page; return a list of problems (empty when the page runs and tells
    the truth). If a block needs an optional module that is missing, the blocks
    before it are run and checked, and then the test is skipped (pytest.skip)."""
    try:
        blocks = page_blocks(path)
    except DocsFormatError as error:
        return [str(error)]
    running, cut = [], None
    for block in blocks:
        if block.runs:
            if missing := missing_optional(block.code):
                cut = f"{block.name} and after: {missing} is not installed"
                break
            running.append(block)
    problems = []
    if running:
        result = run_blocks(running, cwd)
        if result["failed"] is not None:
            block = running[result["failed"]]
            return [f"{block.name} (Python block {result['failed'] + 1} of {len(running)}) failed:\n{result['error']}"]
        printed = dict(zip((id(b) for b in running), result["outputs"], strict=True))
        for block, seconds in zip(running, result["seconds"], strict=True):
            print(f"{block.name}: {seconds:.1f} s")  # pytest -rP shows where a page spends its time
        last = None
        for block in blocks:
            if block.is_output and id(last) in printed and not output_matches(block.code, printed[id(last)]):
                problems.append(
                    f"{block.name}: the output block is not what the block at line {last.line} prints.\n"
                    f"--- the page says:\n{block.code}--- it prints:\n{printed[id(last)]}"
                )
            if block.language in PYTHON:
                last = block
    if cut and not problems:
        pytest.skip(f"not run: {cut}")
    return problems


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_page_runs_and_prints_what_it_says(path, tmp_path):
    problems = check_page(path, tmp_path)
    assert not problems, "\n\n".join(problems)


# -- the checker itself can fail ------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_an_undefined_name_fails_naming_page_block_and_error(tmp_path):
    page = write(
        tmp_path,
        "page.rst",
        """\
        Title
        =====

        A first block::

            x = 1

        .. code-block:: python

            print(model.score(X, y))
        """,
    )
    (problem,) = check_page(page, tmp_path)
    assert f"{page}, line 8 (Python block 2 of 2) failed" in problem
    assert "NameError: name 'model' is not defined" in problem
    assert "print(model.score(X, y))" in problem  # the traceback shows the line


def test_blocks_of_a_page_share_one_fresh_interpreter(tmp_path):
    first = write(
        tmp_path, "a.rst", "::\n\n    import sys\n    sys.shared = 1\n    value = 2\n\n::\n\n    assert value == 2\n"
    )
    assert check_page(first, tmp_path) == []
    # a second page sees neither the first page's names nor its interpreter's state
    second = write(tmp_path, "b.rst", "::\n\n    import sys\n    assert not hasattr(sys, 'shared')\n    print(value)\n")
    (problem,) = check_page(second, tmp_path)
    assert "NameError: name 'value' is not defined" in problem


def test_which_blocks_run(tmp_path):
    page = write(
        tmp_path,
        "page.rst",
        """\
        .. code-block:: bash

           pip install .

        Paragraph::

           a = 1

        .. code-block::
           :caption: no language: Python, as Sphinx highlights it

           b = 2

        .. code-block:: text

           not Python

        .. code-block:: python

           c = 3

        .. note::

           Nested::

              d = 4

        A title underlined with colons
        ::::::::::::::::::::::::::::::

        .. highlight:: text

        From here on a bare literal block is text::

           not Python either
        """,
    )
    blocks = page_blocks(page)
    assert [b.language for b in blocks] == ["bash", "python", "python", "text", "python", "python", "text"]
    assert [b.code for b in blocks if b.runs] == ["a = 1\n", "b = 2\n", "c = 3\n", "d = 4\n"]
    assert [b.line for b in blocks if b.runs] == [5, 9, 18, 24]


def test_markdown_fences(tmp_path):
    page = write(
        tmp_path,
        "README.md",
        """\
        ```bash
        pip install .
        ```

        ```python
        x = 1
        print(x + 1)
        ```

        <!-- skdeep-docs: output -->
        ```text
        2
        ```
        """,
    )
    blocks = page_blocks(page)
    assert [(b.language, b.runs, b.is_output) for b in blocks] == [
        ("bash", False, False),
        ("python", True, False),
        ("text", False, True),
    ]
    assert check_page(page, tmp_path) == []
    page.write_text(page.read_text().replace("```text\n2", "```text\n3"))
    (problem,) = check_page(page, tmp_path)
    assert "not what the block at line 5 prints" in problem


@pytest.mark.parametrize(
    "text, message",
    [
        (".. skdeep-docs: skip\n\n::\n\n    x = 1\n", "must give its reason"),
        (".. skdeep-docs: skip —\n\n::\n\n    x = 1\n", "must give its reason"),
        (".. skdeep-docs: skip — a cluster\n", "a marker with no block after it"),
        (".. skdeep-docs: maybe\n\n::\n\n    x = 1\n", "unknown marker"),
        (".. skdeep-docs: output\n\n.. code-block:: text\n\n   1\n", "must follow a Python block that runs"),
        (
            (
                ".. skdeep-docs: skip — needs a cluster\n\n::\n\n    print(1)\n\n"
                ".. skdeep-docs: output\n\n.. code-block:: text\n\n   1\n"
            ),
            "the one at line 3 is skipped",
        ),
        ("Try it:\n\n>>> 1 + 1\n2\n", "doctest block is not run"),
        (".. code-block:: pycon\n\n   >>> 1 + 1\n   2\n", "'pycon' block is not run"),
    ],
)
def test_refused_forms_fail(tmp_path, text, message):
    (problem,) = check_page(write(tmp_path, "page.rst", text), tmp_path)
    assert message in problem


def test_a_skipped_block_does_not_run(tmp_path):
    page = write(
        tmp_path,
        "page.rst",
        """\
        .. skdeep-docs: skip — needs a scheduler at scheduler-address:8786

        ::

            raise SystemExit("ran")

        ::

            print("the next block runs")
        """,
    )
    blocks = page_blocks(page)
    assert blocks[0].skip == "needs a scheduler at scheduler-address:8786" and not blocks[0].runs
    assert check_page(page, tmp_path) == []


def test_output_blocks_compare_line_for_line_with_ellipsis(tmp_path):
    assert output_matches("0.964\n", "0.964\n")
    assert not output_matches("0.964\n", "0.963\n")
    assert output_matches("difference ...\npassed\n", "difference 1.2e-10  \npassed\n\n")
    assert not output_matches("difference ...\npassed\n", "difference 1.2e-10\nfailed\n")
    page = write(
        tmp_path,
        "page.rst",
        """\
        ::

            print(round(2 / 3, 3))

        .. skdeep-docs: output

        .. code-block:: text

           0.667

        ::

            print("second")

        .. skdeep-docs: output

        .. code-block:: text

           first
        """,
    )
    (problem,) = check_page(page, tmp_path)
    assert "line 17: the output block is not what the block at line 11 prints" in problem
    assert "first" in problem and "second" in problem


def test_the_pages_run_this_skdeep(tmp_path):
    # where skdeep would be imported from (find_spec does not import it, nor
    # scikit-learn with it, which would take seconds)
    code = "import importlib.util\nprint(importlib.util.find_spec('skdeep').origin)\n"
    blocks = page_blocks(write(tmp_path, "page.rst", "::\n\n" + textwrap.indent(code, "    ")))
    assert run_blocks(blocks, tmp_path)["outputs"] == [skdeep.__file__ + "\n"]


def test_a_missing_optional_package_skips_the_rest_of_its_page(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "OPTIONAL", OPTIONAL | {"skdeep_docs_not_installed"})
    text = """\
        ::

            print("runs")

        .. skdeep-docs: output

        .. code-block:: text

           {}

        ::

            import skdeep_docs_not_installed.sub

        ::

            raise SystemExit("not run")
        """
    page = write(tmp_path, "page.rst", text.format("runs"))
    with pytest.raises(pytest.skip.Exception, match="page.rst, line 11 and after: skdeep_docs_not_installed is not"):
        check_page(page, tmp_path)
    # what runs before the cut is still checked
    page = write(tmp_path, "page.rst", text.format("something else"))
    (problem,) = check_page(page, tmp_path)
    assert "the output block is not what the block at line 1 prints" in problem


def test_a_missing_package_no_extra_installs_fails(tmp_path):
    (problem,) = check_page(write(tmp_path, "page.rst", "::\n\n    import zarr_not_installed_anywhere\n"), tmp_path)
    assert "ModuleNotFoundError: No module named 'zarr_not_installed_anywhere'" in problem


# -- the troubleshooting page quotes the messages the code gives ---------------------
#
# Every message quoted in a term of docs/troubleshooting.rst is produced here, by the
# call the page describes, and compared with the quote: ``<...>`` in a quote stands
# for a value and ``...`` for text left out; the rest must be the message, exactly.

TROUBLESHOOTING = ROOT / "docs" / "troubleshooting.rst"


def _message(call):
    """The text of the exception that ``call`` raises (and of its cause, for an
    AttributeError's), or of each warning it emits, as a list."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except Exception as error:  # noqa: BLE001 - any error is the message
            return [str(error)] + ([str(error.__cause__)] if error.__cause__ is not None else [])
    return [str(w.message) for w in caught]


def _troubleshooting_cases():
    """quote on the page -> a call that must produce a message matching it."""
    import pickle

    from sklearn.linear_model import LogisticRegression

    from skdeep import LossCurveDisplay, MLPClassifier, MLPRegressor, gradient_check

    rng = np.random.RandomState(0)
    X = rng.standard_normal((20, 3))
    y = np.arange(20) % 2
    y3 = np.arange(20) % 3
    y_reg = X @ [1.0, -1.0, 0.5]

    def clf(**params):
        return MLPClassifier(**{"hidden_layer_sizes": (4,), "max_iter": 2, "random_state": 0, **params})

    def reg(**params):
        return MLPRegressor(**{"hidden_layer_sizes": (4,), "max_iter": 2, "random_state": 0, **params})

    def with_nan(a, value=np.nan):
        a = np.array(a, dtype=float)
        a[0] = value
        return a

    def reload(model, **changes):
        state = model.__getstate__()
        state.update(changes)
        loaded = MLPClassifier.__new__(MLPClassifier)
        loaded.__setstate__(state)

    fitted = clf().fit(X, y)

    def es(estimator=clf, **params):
        return estimator(early_stopping=True, **params)

    def one_weighted_row(message):
        """Weigh one row and split half the rows off for validation, trying each row:
        raise the error that says ``message`` (the weighted row held out, so the
        training set has no weight; or kept, so the validation set has none)."""
        for i in range(len(y)):
            try:
                clf(early_stopping=True, validation_fraction=0.5).fit(X, y, sample_weight=np.eye(len(y))[i])
            except ValueError as error:
                if message in str(error):
                    raise

    def overflow():
        model = clf(hidden_layer_sizes=(4, 4)).fit(X, y)
        model.coefs_[0][...] = 1e308  # the weights of a run that nearly diverged
        model.predict(np.ones((1, 3)))

    def warm(first, then, y_then=y, **fit):
        model = clf(warm_start=True, **first).fit(X, y)
        model.set_params(**then).fit(X, y_then, **fit)

    def partial(then, y_then=y):
        model = clf().partial_fit(X, y, classes=[0, 1])
        model.set_params(**then).partial_fit(X, y_then)

    def diverge(**params):
        clf(solver="sgd", learning_rate_init=1e8, max_iter=20, **params).fit(X * 1e3, y)

    def version_warning():
        pickle.loads(pickle.dumps(fitted))  # the same version: silent
        reload(fitted, _skdeep_version="0.0.1")

    def onnx_labels():
        pytest.importorskip("skl2onnx")
        from skdeep.onnx import _class_labels

        _class_labels(clf().fit(X, np.where(y == 0, 7, 2**40)), nocl=False)

    def onnx_activation():
        pytest.importorskip("skl2onnx")
        from skdeep.onnx import _plain_mlp

        model = clf().fit(X, y)
        model.activation = "softsign"  # none of skdeep's: all of them export
        _plain_mlp(model)

    def display():
        pytest.importorskip("matplotlib")
        LossCurveDisplay.from_estimator(LogisticRegression().fit(X, y))

    cases = [
        # Parameters
        (
            "The 'alpha' parameter of MLPClassifier must be a float in the range [0.0, inf). Got -1.0 instead.",
            lambda: clf(alpha=-1.0).fit(X, y),
        ),
        (
            "hidden_layer_sizes must be positive integers, got <value>.",
            lambda: clf(hidden_layer_sizes=(4, 0)).fit(X, y),
        ),
        (
            "keep_prob must be a float in (0, 1] or a sequence with one value per hidden layer (<n>), got <value>.",
            lambda: clf(keep_prob=(0.8, 0.9)).fit(X, y),
        ),
        (
            "keep_prob values must lie in (0, 1], got <value>.",
            lambda: clf(hidden_layer_sizes=(4, 4), keep_prob=(0.5, 1.5)).fit(X, y),
        ),
        (
            "keep_prob must hold floats in (0, 1], got <value>.",
            lambda: clf(keep_prob=("a",)).fit(X, y),
        ),
        (
            "init returned weights of shape <shape> for a layer with fan_in=<i> and fan_out=<o>; expected (<i>, <o>).",
            lambda: clf(init=lambda fan_in, fan_out, rng: np.zeros((fan_out, fan_in))).fit(X, y),
        ),
        (
            "init returned biases of shape <shape> for a layer with fan_in=<i> and fan_out=<o>; expected (<o>,).",
            lambda: clf(init=lambda fan_in, fan_out, rng: (np.zeros((fan_in, fan_out)), np.zeros(fan_in + 1))).fit(
                X, y
            ),
        ),
        (
            "solver='lbfgs' cannot be used with keep_prob < 1: ...",
            lambda: clf(solver="lbfgs", keep_prob=0.5).fit(X, y),
        ),
        (
            (
                "learning_rate='exponential' needs decay_rate in (0, 1], the factor the learning rate is multiplied "
                "by every decay_steps epochs; decay_rate=<value> would <effect>."
            ),
            lambda: clf(solver="sgd", learning_rate="exponential", decay_rate=0.0).fit(X, y),
        ),
        (
            (
                "batch_norm=True normalizes each hidden unit over the rows of a batch and needs at least 2 rows per "
                "batch, but the batches have 1 (n_samples=<n>, batch_size=<b>). ..."
            ),
            lambda: clf(batch_norm=True, batch_size=1).fit(X, y),
        ),
        (
            (
                "This model was fitted with batch_norm=<old>: warm_start=True cannot continue it with "
                "batch_norm=<new>, ..."
            ),
            lambda: warm({}, {"batch_norm": True}),
        ),
        (
            "init returned non-finite weights (inf or NaN) for a layer of shape <shape>.",
            lambda: clf(init=lambda fan_in, fan_out, rng: np.full((fan_in, fan_out), np.nan)).fit(X, y),
        ),
        (
            "The classes, <classes>, are not in class_weight",
            lambda: clf(class_weight={0: 1.0, 5: 2.0}).fit(X, y),
        ),
        (
            "class_weight values must be finite and non-negative, got <value>.",
            lambda: clf(class_weight={0: -1.0, 1: 1.0}).fit(X, y),
        ),
        (
            "This 'MLPClassifier' has no attribute 'partial_fit'",
            lambda: clf(solver="lbfgs").partial_fit,
        ),
        # Data
        (
            "Input X contains NaN. ...",
            lambda: clf().fit(with_nan(X), y),
        ),
        (
            "Input X contains infinity or a value too large for dtype('float64').",
            lambda: clf().fit(with_nan(X, np.inf), y),
        ),
        (
            "Input y contains NaN.",
            lambda: clf().fit(X, with_nan(y)),
        ),
        (
            "Input y contains infinity ...",
            lambda: clf().fit(X, with_nan(y, np.inf)),
        ),
        (
            "Found array with 0 sample(s) (shape=(0, <p>)) while a minimum of 1 is required by <estimator>.",
            lambda: clf().fit(X[:0], y[:0]),
        ),
        (
            "Found array with 0 feature(s) (shape=(<n>, 0)) while a minimum of 1 is required by <estimator>.",
            lambda: clf().fit(X[:, :0], y),
        ),
        (
            "Expected 2D array, got 1D array instead: ...",
            lambda: clf().fit(X[:, 0], y),
        ),
        (
            "Found array with dim 3, while dim <= 2 is required by <estimator>.",
            lambda: clf().fit(X[:, :, None], y),
        ),
        (
            "Found input variables with inconsistent numbers of samples: [<n_X>, <n_y>]",
            lambda: clf().fit(X, y[:-1]),
        ),
        (
            "could not convert string to float: <value>",
            lambda: clf().fit(np.array([["a", "b", "c"]] * 20), y),
        ),
        (
            "Complex data not supported ...",
            lambda: clf().fit(X + 1j, y),
        ),
        (
            "Unknown label type: continuous. ...",
            lambda: clf().fit(X, y_reg),
        ),
        (
            (
                "MLPClassifier needs samples of at least 2 classes in the data, but the data contains only one class:"
                " <label>."
            ),
            lambda: clf().fit(X, np.zeros(20)),
        ),
        (
            "classes must be passed on the first call to partial_fit.",
            lambda: clf().partial_fit(X, y),
        ),
        (
            "`y` has classes not in `self.classes_`. ...",
            lambda: partial({}, y_then=y3),
        ),
        (
            "warm_start can only be used where `y` has the same classes as in the previous call to fit. ...",
            lambda: warm({}, {}, y_then=y3),
        ),
        (
            (
                "warm_start=True cannot continue this model with hidden_layer_sizes=...: it was fitted with hidden "
                "layers of [...] units. ..."
            ),
            lambda: warm({}, {"hidden_layer_sizes": (5,)}),
        ),
        (
            "partial_fit cannot continue ...",
            lambda: partial({"hidden_layer_sizes": (5,)}),
        ),
        (
            "loss='poisson' needs y >= 0; some values of y are negative.",
            lambda: reg(loss="poisson").fit(X, y_reg),
        ),
        (
            "loss='gamma' needs y > 0; some values of y are zero or negative.",
            lambda: reg(loss="gamma").fit(X, y_reg),
        ),
        (
            "loss='quantile' needs quantile to be set; it is None. ...",
            lambda: reg(loss="quantile").fit(X, y_reg),
        ),
        (
            "sample_weight.shape == (<n_w>,), expected (<n>,)!",
            lambda: clf().fit(X, y, sample_weight=np.ones(19)),
        ),
        (
            "Input sample_weight contains NaN.",
            lambda: clf().fit(X, y, sample_weight=with_nan(np.ones(20))),
        ),
        (
            "Negative values in data passed to `sample_weight`.",
            lambda: clf().fit(X, y, sample_weight=-np.ones(20)),
        ),
        (
            "Sample weights must contain at least one non-zero number.",
            lambda: clf().fit(X, y, sample_weight=np.zeros(20)),
        ),
        (
            "sample_weight must have a positive sum over the training samples.",
            lambda: one_weighted_row("positive sum"),
        ),
        (
            (
                "The validation set's <k> samples all have sample_weight 0, so the validation loss and score are "
                "undefined. Pass sample_weight_val with a non-zero weight, or, with the validation_fraction split, "
                "fewer zero weights or another random_state."
            ),
            lambda: one_weighted_row("all have sample_weight 0"),
        ),
        (
            (
                "The validation set is too small (<k> of <n> samples, <c> classes): increase validation_fraction or "
                "the size of the data set, or set early_stopping=False."
            ),
            lambda: clf(early_stopping=True, validation_fraction=0.01).fit(X, y),
        ),
        (
            "MLPRegressor needs numeric y; got values of dtype <dtype>.",
            lambda: reg().fit(X, np.array(["a"] * 20)),
        ),
        (
            "The network's outputs overflowed for this X (inf - inf in a hidden layer): ...",
            lambda: overflow(),
        ),
        (
            "X has <p> features, but <estimator> is expecting <q> features as input.",
            lambda: fitted.predict(X[:, :2]),
        ),
        (
            "This <estimator> instance is not fitted yet. ...",
            lambda: clf().predict(X),
        ),
        # A validation set of your own
        (
            "X_val is given, but y_val is not: pass both, or neither.",
            lambda: es().fit(X, y, X_val=X),
        ),
        (
            "y_val is given, but X_val is not: pass both, or neither.",
            lambda: es().fit(X, y, y_val=y),
        ),
        (
            "sample_weight_val is given, but X_val and y_val are not.",
            lambda: es().fit(X, y, sample_weight_val=y),
        ),
        (
            (
                "X_val and y_val are given while early_stopping=False: the validation set serves early stopping. Set "
                "early_stopping=True, or leave them out."
            ),
            lambda: clf().fit(X, y, X_val=X, y_val=y),
        ),
        (
            "X_val and y_val have different numbers of samples: <n> and <m>.",
            lambda: es().fit(X, y, X_val=X, y_val=y[:-1]),
        ),
        (
            "X_val: <message>",
            lambda: es().fit(X, y, X_val=X[:, :2], y_val=y),
        ),
        (
            "y_val: <message>",
            lambda: es(reg).fit(X, y_reg, X_val=X, y_val=with_nan(y_reg)),
        ),
        (
            "y_val has <k> outputs, but y has <m>.",
            lambda: es(reg).fit(X, y_reg, X_val=X, y_val=np.c_[y_reg, y_reg]),
        ),
        (
            "y_val: classes <classes> are not in y, whose classes are <classes>.",
            lambda: es().fit(X, y, X_val=X, y_val=y3),
        ),
        (
            "y_val: multilabel targets need <k> columns, as y; got shape <shape>.",
            lambda: es().fit(X, np.c_[y, 1 - y, y], X_val=X, y_val=np.c_[y, 1 - y]),
        ),
        (
            (
                "scoring=<scoring> failed on the validation set of <n> samples: <error> Check that the scorer takes "
                "these targets; ..."
            ),
            lambda: clf(early_stopping=True, scoring="roc_auc").fit(X, y3),
        ),
        # Training
        (
            (
                "<estimator> diverged: the loss or the weights became non-finite (inf or NaN), or the loss grew a "
                "millionfold, at iteration <k>. Try a lower learning_rate_init, a smaller init_scale or a scaled X "
                "(for example with StandardScaler)."
            ),
            lambda: diverge(),
        ),
        (
            "<estimator> diverged: ... Keeping the weights of the best validation score.",
            lambda: diverge(early_stopping=True, validation_fraction=0.2),
        ),
        (
            "Stochastic Optimizer: Maximum iterations (<max_iter>) reached and the optimization hasn't converged yet.",
            lambda: clf().fit(X, y),
        ),
        (
            (
                "lbfgs failed to converge after <k> iteration(s) (status=<s>): <reason>. Increase max_iter or "
                "max_fun, or scale the data."
            ),
            lambda: clf(solver="lbfgs").fit(X, y),
        ),
        (
            (
                "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped: batch_size=<b> "
                "is larger than the number of training samples (<n>); using <n>, one full batch per epoch."
            ),
            lambda: clf(batch_size=50).fit(X, y),
        ),
        # Display, gradient checking
        (
            (
                "<estimator> has no loss_curve_: LossCurveDisplay needs an estimator that records its training loss, "
                "such as skdeep's MLPClassifier or MLPRegressor."
            ),
            lambda: display(),
        ),
        (
            "epsilon must be a finite float > 0, got <value>.",
            lambda: gradient_check(clf(), X, y, epsilon=0.0),
        ),
        (
            "threshold must be a float > 0, got <value>.",
            lambda: gradient_check(clf(), X, y, threshold=-1.0),
        ),
        # Saving
        (
            (
                "<estimator> was saved with skdeep <old> (scikit-learn <v>) and is being loaded with skdeep <new> "
                "(scikit-learn <v>). ..."
            ),
            lambda: version_warning(),
        ),
        (
            (
                "The saved estimator's _optimizer is '<name>', which this version of skdeep does not have (it has "
                "<names>). ..."
            ),
            lambda: reload(clf(solver="sgd").fit(X, y), _optimizer={"kind": "nadam", "attributes": {}}),
        ),
        (
            "Cannot convert MLPClassifier to ONNX: its class labels <classes> cannot be ONNX labels, ...",
            lambda: onnx_labels(),
        ),
        (
            "Cannot convert <estimator> to ONNX: activation=<name> has no ONNX export; ...",
            lambda: onnx_activation(),
        ),
    ]
    return dict(cases)


# Quoted on the page but not produced here, each with the reason.
NOT_PRODUCED = {
    "Training interrupted by user.": "needs a Ctrl-C during fit (tests/test_mlp.py sends one)",
    "Unable to find a shape calculator for type '<class 'skdeep.MLPClassifier'>'": (
        "skl2onnx's own message, before import skdeep.onnx; once any test imports skdeep.onnx it is gone"
    ),
    'skdeep.onnx needs skl2onnx: pip install ".[onnx]" from the skdeep checkout': "needs skl2onnx missing; compared with the source below",
}
# literals in a term that are not messages
NOT_MESSAGES = {"partial_fit"}


def _quote_pattern(quote):
    """A regex for the messages ``quote`` stands for: ``<...>`` any value, ``...``
    any text, a space any whitespace (messages may break their lines), the rest
    literal."""
    parts = re.split(r"(<[^<>]+>|\.\.\.)", quote)
    return "".join(
        ".+?"
        if p.startswith("<") and p.endswith(">")
        else ".*?"
        if p == "..."
        else re.sub(r"\\ ", r"\\s+", re.escape(p))
        for p in parts
    )


def _term_quotes():
    """The inline literals of the page's definition-list terms: a line that starts
    with a literal after a blank line, whose next line is indented."""
    lines = TROUBLESHOOTING.read_text(encoding="utf-8").splitlines()
    quotes = []
    for before, line, after in zip(lines, lines[1:], lines[2:]):
        if not before.strip() and line.startswith("``") and re.match(r"^ {4}\S", after):
            quotes += re.findall(r"``(.+?)``(?!`)", line)
    return quotes


def test_troubleshooting_quotes_every_message_as_the_code_gives_it():
    cases = _troubleshooting_cases()
    quotes = _term_quotes()
    assert len(quotes) > 50
    unknown = [q for q in quotes if q not in cases and q not in NOT_PRODUCED and q not in NOT_MESSAGES]
    assert not unknown, f"quoted on the page, but not produced by this test: {unknown}"
    page = TROUBLESHOOTING.read_text(encoding="utf-8")
    missing = [q for q in [*cases, *NOT_PRODUCED] if q not in quotes and f"   {q}\n" not in page]  # or a text block
    assert not missing, f"produced by this test, but not quoted on the page: {missing}"
    wrong = {}
    for quote, call in cases.items():
        try:
            messages = _message(call)
        except pytest.skip.Exception:
            continue
        if not any(re.fullmatch(_quote_pattern(quote), m, flags=re.DOTALL) for m in messages):
            wrong[quote] = messages
    assert not wrong, "the page's quote, then what the code says:\n" + "\n".join(
        f"  {q}\n    {m}" for q, m in wrong.items()
    )


def test_troubleshooting_quotes_the_import_error_of_skdeep_onnx():
    source = (ROOT / "skdeep" / "onnx.py").read_text(encoding="utf-8")
    (quote,) = [q for q in NOT_PRODUCED if q.startswith("skdeep.onnx needs")]
    assert f"raise ImportError('{quote}')" in source


def test_quote_patterns():
    assert re.fullmatch(_quote_pattern("got <value>."), "got (4, 0).")
    assert not re.fullmatch(_quote_pattern("got <value>."), "got (4, 0)")
    assert re.fullmatch(_quote_pattern("a [...] b ..."), "a [3] b and more")
    assert not re.fullmatch(_quote_pattern("init returned an array of shape"), "init returned weights of shape")
    assert re.fullmatch(_quote_pattern("instead: ..."), "instead:\narray=[1 2]")
