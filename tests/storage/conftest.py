"""Storage fixtures: a session-wide SeaweedFS server and a store per backend."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from minio import Minio

from storage import RetryPolicy, Store, open_store
from storage.filestore import FileStore
from storage.s3store import S3Store
from tests.support.seaweed import SeaweedServer, running_seaweed

# Tests want failures fast; the outage tests set their own budget.
TEST_RETRY = RetryPolicy(max_wait=10.0, first_delay=0.05, max_delay=1.0)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    with running_seaweed(tmp_path_factory.mktemp("seaweed")) as server:
        yield server


def new_bucket() -> str:
    return f"t-{uuid.uuid4().hex[:20]}"


def s3_store(server: SeaweedServer, bucket: str | None = None, **kwargs: object) -> S3Store:
    kwargs.setdefault("retry", TEST_RETRY)
    store = open_store(
        server.url(bucket or new_bucket()),
        access_key=server.access_key,
        secret_key=server.secret_key,
        secure=False,
        **kwargs,  # type: ignore[arg-type]
    )
    assert isinstance(store, S3Store)
    return store


def raw_client(server: SeaweedServer) -> Minio:
    return Minio(
        server.endpoint, access_key=server.access_key, secret_key=server.secret_key, secure=False
    )


@pytest.fixture(params=["file", "s3"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if backend == "file":
        return FileStore(tmp_path / "objects")
    return s3_store(request.getfixturevalue("seaweed"))


@pytest.fixture
def file_store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "objects")


@pytest.fixture
def tamper(request: pytest.FixtureRequest) -> Callable[[Store, str, bytes], None]:
    """Replace an object's bytes behind sohoa's back, keeping its recorded checksum,
    content type and metadata (as bit rot would): on disk for the filesystem, through a
    raw minio client for S3."""

    def replace(store: Store, key: str, data: bytes) -> None:
        if isinstance(store, FileStore):
            (store.root / key).write_bytes(data)
            return
        assert isinstance(store, S3Store)
        info = store.head(key)
        assert info is not None and info.sha256
        server: SeaweedServer = request.getfixturevalue("seaweed")
        raw_client(server).put_object(
            store.bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=info.content_type,
            metadata={"sha256": info.sha256, **{k: quote(v) for k, v in info.metadata.items()}},
        )

    return replace
