"""Packaging for LossDoc, the loss-curve diagnosis plugin for TensorBoard."""

from setuptools import find_packages, setup

setup(
    name="tb-lossdoc",
    version="0.1.0",
    description="Diagnose training and validation loss curves in TensorBoard logs",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=find_packages(include=["tb_lossdoc", "tb_lossdoc.*"]) + ["tb_lossdoc.static"],
    # The tab's source lives in frontend/ and ships as tb_lossdoc/static.
    package_dir={"tb_lossdoc.static": "frontend"},
    package_data={"tb_lossdoc.serve": ["http_api.md"], "tb_lossdoc.static": ["*.js", "*.css"]},
    install_requires=[
        "tensorboard>=2.16",
        "numpy>=1.23",
        "werkzeug>=2.0",
        "protobuf>=3.20",
    ],
    # Kept in step with requirements-test.txt; inline so that the sdist installs on its own.
    extras_require={
        "test": [
            "pytest>=8",
            "tensorflow-cpu==2.21.0",
            "torch==2.13.0",
            "tensorboardX>=2.6",
            "playwright>=1.40",
        ]
    },
    entry_points={
        "console_scripts": ["tb-lossdoc = tb_lossdoc.cli:main"],
        "tensorboard_plugins": ["lossdoc = tb_lossdoc.serve.loader:LossDocLoader"],
    },
)
