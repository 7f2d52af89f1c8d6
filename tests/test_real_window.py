"""zsdesk's window on a real X server (Xvfb), with Qt's xcb plugin, not offscreen.

Every other GUI test runs Qt offscreen, which loads none of the X libraries a clerk's
desktop needs. Here `zsdesk` runs as a subprocess with ``QT_QPA_PLATFORM`` unset on an
Xvfb display the test starts; the test sees the main window mapped (xdotool, xwininfo),
closes it with Ctrl+Q and expects exit 0. On a machine missing one of the xcb plugin's
libraries the window never maps and the test fails; the last tests hide one library from
a copy of PySide6 and show what happens then: without zsdesk's startup check Qt aborts,
with it zsdesk says so in one Chinese line (exit 2).
"""

from __future__ import annotations

import os
import random
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("Xvfb", "xdotool", "xwininfo")
pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS) or not sys.platform.startswith("linux"),
    reason="needs Xvfb, xdotool and xwininfo (.ci/install installs xvfb, xdotool, x11-utils)",
)


@pytest.fixture
def display():
    """A fresh Xvfb; the display's name (":N").

    The number is picked at random and another tried if that one's server fails to start:
    an Xvfb of a chroot on the same machine (.ci/fresh-debian) shares the abstract socket
    namespace but not /tmp's lock files, so -displayfd's first free number may be taken.
    """
    rng = random.Random()
    for _ in range(10):
        number = rng.randrange(200, 2000)
        read, write = os.pipe()
        server = subprocess.Popen(
            ["Xvfb", f":{number}", "-displayfd", str(write), "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(write)
        ready, _, _ = select.select([read], [], [], 30)
        said = os.read(read, 32).decode().strip() if ready else ""
        os.close(read)
        if said == str(number) and _answers(f":{number}"):
            break
        server.kill()
        server.wait(timeout=30)
    else:
        pytest.fail("Xvfb did not start on any of ten displays")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=30)


def _answers(display: str, timeout: float = 30) -> bool:
    """Whether the X server on ``display`` takes clients (Xvfb tells its number a moment before)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = subprocess.run(["xwininfo", "-root", "-display", display], capture_output=True)
        if probe.returncode == 0:
            return True
        time.sleep(0.1)
    return False


def _window_env(display: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}  # no offscreen
    env.update(DISPLAY=display, XDG_CONFIG_HOME=extra.pop("config", env.get("XDG_CONFIG_HOME", "")), **extra)
    if not env["XDG_CONFIG_HOME"]:
        del env["XDG_CONFIG_HOME"]
    return env


def _zsdesk() -> list[str]:
    return [sys.executable, "-m", "zsdesk"]


def _find_window(display: str, process: subprocess.Popen, timeout: float = 120) -> str | None:
    """The id of a visible window named zsdesk…, once mapped; None if the process ends first."""
    env = {**os.environ, "DISPLAY": display}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "zsdesk"],
                               capture_output=True, text=True, env=env)
        if found.stdout.split():
            return found.stdout.split()[0]
        time.sleep(0.2)
    return None


def test_the_window_maps_on_a_real_x_display_and_ctrl_q_closes_it(display, demo_path, tmp_path):
    process = subprocess.Popen(
        [*_zsdesk(), "--db", str(demo_path)], cwd=tmp_path, env=_window_env(display, config=str(tmp_path / "config")),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        window = _find_window(display, process)
        if window is None:
            process.kill()
            out, err = process.communicate(timeout=30)
            pytest.fail(f"no zsdesk window was mapped (exit {process.returncode}): {err}")
        env = {**os.environ, "DISPLAY": display}
        info = subprocess.run(["xwininfo", "-id", window], capture_output=True, text=True, env=env, check=True).stdout
        assert "Map State: IsViewable" in info
        name = subprocess.run(["xdotool", "getwindowname", window], capture_output=True, text=True, env=env).stdout
        assert "zsdesk" in name and "招商引资台账" in name, name
        width = int(next(line.split(":")[1] for line in info.splitlines() if line.strip().startswith("Width:")))
        assert width > 400  # a real main window, not a splash or a message box
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=30)
        subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+q"], env=env, check=True, timeout=30)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "qt.qpa" not in err, err


def _pyside_with_a_library_hidden(tmp_path: Path) -> Path:
    """A folder holding a PySide6 whose xcb plugin needs ``libxcb-cursor.so.9``, which no system has.

    Every file is a symlink to the real PySide6 except ``libqxcb.so``, a copy whose
    DT_NEEDED entry libxcb-cursor.so.0 is renamed (same length): the plugin is Qt's own,
    and the loader cannot find one of its libraries, as on a machine without libxcb-cursor0.
    """
    import PySide6

    real = Path(PySide6.__file__).parent
    fake = tmp_path / "site" / "PySide6"

    def mirror(source: Path, target: Path, keep_real: Path) -> None:
        target.mkdir(parents=True)
        for entry in source.iterdir():
            if keep_real == entry or keep_real.is_relative_to(entry):
                if entry.is_dir():
                    mirror(entry, target / entry.name, keep_real)
                continue
            (target / entry.name).symlink_to(entry)

    plugin = real / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    mirror(real, fake, plugin)
    data = plugin.read_bytes()
    assert data.count(b"libxcb-cursor.so.0\0") == 1
    (fake / "Qt" / "plugins" / "platforms" / "libqxcb.so").write_bytes(
        data.replace(b"libxcb-cursor.so.0\0", b"libxcb-cursor.so.9\0")
    )
    return fake.parent


def test_with_an_xcb_library_missing_qt_alone_aborts(display, demo_path, tmp_path):
    """What a clerk saw before the startup check: English lines and an abort, no window."""
    site = _pyside_with_a_library_hidden(tmp_path)
    env = _window_env(display, config=str(tmp_path / "config"), ZSDESK_NO_PLATFORM_CHECK="1",
                      PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    process = subprocess.Popen([*_zsdesk(), "--db", str(demo_path)], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _find_window(display, process, timeout=60) is None  # the window never maps
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode not in (0, 2), err
    assert 'Could not load the Qt platform plugin "xcb"' in err


def test_with_an_xcb_library_missing_zsdesk_says_which_in_one_chinese_line(display, demo_path, tmp_path):
    site = _pyside_with_a_library_hidden(tmp_path)
    env = _window_env(display, config=str(tmp_path / "config"), PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    result = subprocess.run([*_zsdesk(), "--db", str(demo_path)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误：无法打开窗口")
    assert "libxcb-cursor.so.9" in lines[0] and "sudo apt-get install libxcb-cursor0" in lines[0]
    assert result.stdout == ""


def test_with_no_display_zsdesk_says_so_in_one_chinese_line(demo_path, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_") and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([*_zsdesk(), "--db", str(demo_path)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert "DISPLAY 未设置" in result.stderr and "--selftest" in result.stderr


def test_with_a_display_nobody_serves_zsdesk_says_so(demo_path, tmp_path):
    taken = {p.name for p in Path("/tmp/.X11-unix").glob("X*")} if Path("/tmp/.X11-unix").is_dir() else set()
    number = next(n for n in range(4321, 4400) if f"X{n}" not in taken)
    env = _window_env(f":{number}", config=str(tmp_path / "config"))
    result = subprocess.run([*_zsdesk(), "--db", str(demo_path)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == f"错误：无法打开窗口：图形显示 DISPLAY=:{number} 没有响应（X 服务器未运行，或不允许本程序连接）"
