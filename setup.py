"""Only the package list lives here; the metadata is in pyproject.toml.

``resources/`` (fonts, OFL licence, icons, desktop entry) stays at the top of the checkout,
where build.spec and the scripts that make the fonts and icons expect it; it is installed as
the package ``zsdesk._resources`` so that a wheel or sdist install carries it
(``zsdesk/resources.py`` looks there first). pyproject.toml cannot add a package with its own
folder to an automatic ``packages.find``, hence this file.
"""

from setuptools import find_packages, setup

setup(
    # fonts/ and icons/ are listed as (namespace) packages too: their data files need it, and
    # with them go the two scripts that made the font subset and the icons (sources of both).
    packages=[
        *find_packages(include=["zsdesk", "zsdesk.*"]),
        "zsdesk._resources",
        "zsdesk._resources.fonts",
        "zsdesk._resources.icons",
        "zsdesk._resources.translations",
    ],
    package_dir={"zsdesk._resources": "resources"},
)
