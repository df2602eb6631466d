"""The one thing the seeds' programs were changed in: where the manager is
and its key.  seeds.py sets MGR_PY_ADDRESS (python+tcp:HOST:PORT or
python+unix:PATH) and MGR_PY_AUTHKEY_FILE."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pylib  # noqa: E402

ADDR = pylib.parse_address(os.environ["MGR_PY_ADDRESS"])
KEY = pylib.read_key(os.environ["MGR_PY_AUTHKEY_FILE"])
