"""Without DVK_CONFIDENTIALITY_KEY each service makes or reads the development key in the one
data folder; they start side by side, and every one must end with the same whole key."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

READ_KEY = ("import sys; from pathlib import Path; "
            "from shared.confidential import _development_key; "
            "print(_development_key(Path(sys.argv[1])))")


def test_processes_starting_together_share_one_whole_key(tmp_path: Path):
    root = Path(__file__).resolve().parents[3]
    for _ in range(5):  # the race is narrow: several rounds of eight processes
        folder = tmp_path / f"round-{_}"
        processes = [subprocess.Popen([sys.executable, "-c", READ_KEY, str(folder)], cwd=root,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(8)]
        results = [p.communicate(timeout=60) for p in processes]
        assert all(p.returncode == 0 for p in processes), [err[-500:] for _, err in results]
        keys = {out.strip().splitlines()[-1] for out, _ in results}  # after any log line
        assert len(keys) == 1
        key = keys.pop()
        Fernet(key.encode())  # a whole key, not a file read while half written
        written = folder / "confidentiality.key"
        assert written.read_text().strip() == key
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert [p.name for p in folder.iterdir()] == ["confidentiality.key"]  # no leftovers
