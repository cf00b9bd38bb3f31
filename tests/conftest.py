import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest

from coach import Coach


@pytest.fixture(scope="session")
def coach():
    return Coach()
