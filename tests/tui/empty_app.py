"""The app on an empty HORNQ_HOME, as a new user first sees it (no engine, no polling thread)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from engine.paths import Home
from engine.store.db import open_database
from tests.tui.sample import fixed_now, use_utc
from tui.app import HornqApp

use_utc()
home = Home(Path(tempfile.mkdtemp(prefix="hornq-empty-snapshot-")) / "home")
open_database(home)
app = HornqApp(home, start_engine=False, now=fixed_now, poll=False)
