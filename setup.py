"""Packaging for LossDoc, the loss-curve diagnosis plugin for TensorBoard."""

from setuptools import find_packages, setup

setup(
    name="tb-lossdoc",
    version="0.1.0",
    description="Diagnose training and validation loss curves in TensorBoard logs",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    url="https://github.com/lossdoc/tb-lossdoc",
    project_urls={
        "Documentation": "https://github.com/lossdoc/tb-lossdoc#readme",
        "JSON format": "https://github.com/lossdoc/tb-lossdoc/blob/main/docs/json-format.md",
        "Issues": "https://github.com/lossdoc/tb-lossdoc/issues",
    },
    license="Apache-2.0",
    license_files=["LICENSE"],
    keywords="tensorboard plugin loss curve diagnosis overfitting training",
    classifiers=[
        "Development Status :: 4 - Beta",
        "Environment :: Web Environment",
        "Framework :: TensorBoard",
        "Intended Audience :: Developers",
        "Intended Audience :: Science/Research",
        "License :: OSI Approved :: Apache Software License",
        "Natural Language :: Chinese (Simplified)",
        "Natural Language :: English",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Topic :: Scientific/Engineering :: Visualization",
    ],
    python_requires=">=3.9",
    packages=find_packages(include=["tb_lossdoc", "tb_lossdoc.*"]) + ["tb_lossdoc.static"],
    # The tab's source lives in frontend/ and ships as tb_lossdoc/static.
    package_dir={"tb_lossdoc.static": "frontend"},
    package_data={"tb_lossdoc": ["schema/*.json"], "tb_lossdoc.serve": ["http_api.md"], "tb_lossdoc.static": ["*.js", "*.css"]},
    install_requires=[
        "tensorboard>=2.16",
        "numpy>=1.23",
        "werkzeug>=2.0",
        "protobuf>=3.20",
    ],
    # For the tests and for writing demo logs only: the plugin never imports torch or TensorFlow.
    extras_require={
        "test": [
            "pytest>=8",
            "tensorflow-cpu==2.21.0",
            "torch==2.13.0",
            "tensorboardX>=2.6",
            "playwright>=1.40",
            "jsonschema>=4.18",
            "build>=1.0",
        ]
    },
    entry_points={
        "console_scripts": ["tb-lossdoc = tb_lossdoc.cli:main"],
        "tensorboard_plugins": ["lossdoc = tb_lossdoc.serve.loader:LossDocLoader"],
    },
)
