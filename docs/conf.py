"""Sphinx configuration of skdeep's documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``; the example gallery
runs every ``examples/plot_*.py`` on the way.
"""

import matplotlib
from sphinx_gallery.sorting import ExplicitOrder

import skdeep

# the gallery runs the examples headless
matplotlib.use("agg")

project = "skdeep"
author = "the skdeep developers"
copyright = "the skdeep developers, BSD-3-Clause"
release = skdeep.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build"]
root_doc = "index"
default_role = "literal"

# -- API reference ------------------------------------------------------------
autosummary_generate = False  # api.rst documents each object on its own page
autodoc_typehints = "none"
autodoc_member_order = "groupwise"
# methods are documented by autodoc's :members:, not by numpydoc's member tables
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skdeep {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_sidebars = {"quickstart": [], "changelog": [], "performance": []}

# -- Example gallery ----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    # the order of the user guide; examples not listed go last
    "within_subsection_order": ExplicitOrder(
        [
            "plot_initialization.py",
            "plot_regularization.py",
            "plot_optimizers.py",
            "plot_rmsprop.py",
            "plot_learning_rate_decay.py",
            "plot_batch_normalization.py",
            "plot_gradient_check.py",
            "plot_grid_search.py",
            "plot_random_search.py",
            "plot_dask.py",
            "*",
        ]
    ),
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "doc_module": ("skdeep",),
    "reference_url": {"skdeep": None},
    "remove_config_comments": True,
    "show_memory": False,
}
