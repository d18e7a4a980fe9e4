"""What pyproject.toml cannot say about the wheel's contents.

Every top-level folder with an ``apps.py`` is a Django app and ships with all its subpackages (models,
migrations, management commands) and data files (demo data). The site-wide ``templates/`` and ``static/``
folders stay where they are in the checkout and are shipped inside the ``portal`` package as
``portal/templates`` and ``portal/static``: installed, Django finds them as the ``portal`` app's own
(``APP_DIRS`` and the app-directories static finder); in the checkout, settings point at the folders.
``tests/packaging/test_wheel.py`` compares the wheel with ``git ls-files``.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).resolve().parent
APPS = sorted(path.parent.name for path in HERE.glob("*/apps.py"))
NOT_CODE = ["*.__pycache__", "*.__pycache__.*"]
APP_PACKAGES = find_namespace_packages(
    include=[pattern for app in APPS for pattern in (app, f"{app}.*")], exclude=NOT_CODE
)
SITE_FOLDERS = {"portal.templates": "templates", "portal.static": "static"}
# Every folder under templates/ and static/ is a (data-only) package under portal.templates / portal.static.
SITE_PACKAGES = [
    f"{name}.{sub}" if sub else name
    for name, folder in SITE_FOLDERS.items()
    for sub in ["", *find_namespace_packages(where=str(HERE / folder), exclude=NOT_CODE)]
]

setup(
    packages=APP_PACKAGES + SITE_PACKAGES,
    package_dir=SITE_FOLDERS,
    # Every file in a folder that holds no Python (demo data, templates, static files) is data.
    package_data={name: ["*"] for name in APP_PACKAGES + SITE_PACKAGES},
    exclude_package_data={"": ["*.pyc"]},
)
