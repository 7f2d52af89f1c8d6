"""How zsdesk is frozen, shared by build.spec and bench/frozen_bare.spec.

bench/ compares the frozen program's cold start with a bare PySide6 window frozen the
same way: the same excluded modules, hooks, archive, optimisation, stripping and console
setting, so that the floor is built as the program is (read by both specs from this file).
"""

import shutil
import subprocess
import sys
from pathlib import Path

STRIP = False
"""PyInstaller's strip=True is not used: stripping the libraries of manylinux wheels (NumPy's
OpenBLAS) corrupts them ("ELF load command address/offset not page-aligned")."""
STRIP_PYTHON_DEBUG_INFO = sys.platform.startswith("linux")
UPX = False
OPTIMIZE = 0  # Alembic and argparse rely on docstrings/asserts staying in place
CONSOLE = sys.platform != "win32"  # windowed on Windows; a Linux/macOS console program keeps its CLI

UNUSED_QT = [
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtBluetooth", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus", "QtDesigner",
    "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia",
    "QtMultimediaWidgets", "QtNetwork", "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets",
    "QtPdf", "QtPdfWidgets", "QtPositioning", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus",
    "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvgWidgets", "QtTest",
    "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick",
    "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml", "QtAxContainer",
]
EXCLUDES = [f"PySide6.{name}" for name in UNUSED_QT] + [
    "PyQt5", "PyQt6", "PySide2", "shiboken2",
    "tkinter", "_tkinter", "matplotlib.backends._backend_tk", "matplotlib.backends.backend_tkagg",
    "matplotlib.backends.backend_tkcairo", "matplotlib.backends.backend_gtk3agg",
    "matplotlib.backends.backend_gtk4agg", "matplotlib.backends.backend_wxagg",
    "matplotlib.backends.backend_webagg", "matplotlib.backends.backend_nbagg",
    "matplotlib.tests", "matplotlib.testing", "mpl_toolkits.mplot3d.tests",
    "numpy.tests", "numpy.f2py", "numpy.distutils", "numpy.testing._private.extbuild",
    "IPython", "ipykernel", "jupyter_client", "notebook", "tornado",
    "pytest", "_pytest", "hypothesis", "pytestqt", "setuptools", "pkg_resources", "pip",
    "distutils", "lib2to3", "pydoc_data", "sphinx", "docutils", "test", "unittest.test",
    "PIL.ImageQt", "PIL.ImageTk", "PIL.AvifImagePlugin", "PIL._avif", "readline",
]




def strip_python_debug_info(folder: Path) -> None:
    """Drop the interpreter's debug information (libpython alone carries ~18 MB) on Linux."""
    if not STRIP_PYTHON_DEBUG_INFO:
        return
    strip = shutil.which("strip")
    internal = Path(folder) / "_internal"
    python_files = [
        *internal.glob("libpython*.so*"),
        *(internal / f"python{sys.version_info.major}.{sys.version_info.minor}" / "lib-dynload").glob("*.so"),
    ]
    if strip:
        for path in python_files:
            if path.is_file() and not path.is_symlink():
                subprocess.run([strip, "--strip-debug", str(path)], check=True)
