"""What an embedded ``sohoa ingest`` loads: none of the distributed deployment's clients.

Every batch pays its imports again before its first page (``bench/README_ocr.md``,
"Starting a batch"). The broker, the object store, the search cluster and the HSM
token are configured only in a distributed deployment or with a token; an embedded
batch (the default: files under SOHOA_DATA, SQLite index, file or development key)
must not load their clients.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]

# Top-level packages only a distributed deployment (broker, object store, search
# cluster, cloud storage) or a PKCS#11 token uses.
UNUSED = ("celery", "kombu", "redis", "minio", "elasticsearch", "elastic_transport",
          "boto3", "botocore", "s3transfer", "pkcs11", "uvicorn", "fastapi", "starlette")

PROBE = """
import json, sys
sys.argv = ["sohoa", *sys.argv[1:]]
from cli import entry
code = entry.main()
print(json.dumps({"code": code,
                  "loaded": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def test_an_embedded_ingest_loads_no_distributed_backend(
    tmp_path: Path, sohoa_env: dict[str, str]
) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    # A blank page: the whole batch runs (preflight, signer, workers, commit, index)
    # at the cost of one page tesseract finds empty.
    Image.new("L", (620, 877), 255).save(scans / "trang-trang.png", dpi=(75, 75))
    env = {**os.environ, **sohoa_env, "SOHOA_WORKERS": "1", "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE, "ingest", str(scans), "--json"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["code"] == 0, done.stderr
    assert "pyhanko" in last["loaded"]  # the batch did build its signer
    assert sorted(set(last["loaded"]) & set(UNUSED)) == []
