"""The lake's and the exports' filesystem: a local directory or an `s3://bucket/prefix` URI.

One layer for paths, listing, reading and writing bytes or Parquet, through pyarrow's own
filesystems (`LocalFileSystem`, `S3FileSystem`); DuckDB reaches the same URIs through its
httpfs extension and an S3 secret built from the same environment (`duckdb_s3_statements`).

S3 credentials and endpoint come from the standard AWS variables, so a user's environment
just works: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional),
AWS_REGION (default us-east-1) and AWS_ENDPOINT_URL (optional: an S3-compatible server such as
MinIO or moto, `http://host:port`; path-style addressing is used then).

Batches `<root>/<kind>/<batch_id>/` are visible once their manifest exists: readers
(`visible_batches`, `visible_files`) trust nothing else, neither a hidden temp directory being
staged on local disk nor a batch on S3 (no atomic rename there) whose publish stopped before its
manifest, which is written LAST. The one publish mechanism is `exports.publish.publish_files`
(rename into place locally, manifest last on S3; a published batch is never rewritten).
"""

from __future__ import annotations

import fnmatch
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
DEFAULT_REGION = "us-east-1"


class LakeLocationError(ValueError):
    """A lake location that is neither a local path nor s3://bucket[/prefix]."""


@dataclass(frozen=True)
class S3Endpoint:
    """Where and how to reach S3, from the standard AWS environment variables."""

    region: str
    key_id: str | None
    secret: str | None
    session_token: str | None
    host: str | None  # host:port of an S3-compatible server; None for AWS itself
    use_ssl: bool

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> S3Endpoint:
        endpoint = environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL")
        host, use_ssl = None, True
        if endpoint:
            parsed = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise LakeLocationError(f"AWS_ENDPOINT_URL {endpoint!r} is not http(s)://host:port")
            host, use_ssl = parsed.netloc, parsed.scheme == "https"
        return cls(
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
            key_id=environ.get("AWS_ACCESS_KEY_ID"),
            secret=environ.get("AWS_SECRET_ACCESS_KEY"),
            session_token=environ.get("AWS_SESSION_TOKEN"),
            host=host,
            use_ssl=use_ssl,
        )


def is_s3(location: str) -> bool:
    return location.startswith("s3://")


def join(location: str, *parts: str) -> str:
    """`location` with `parts` appended by '/', the same for a local path and an s3:// URI."""
    out = location.rstrip("/")
    for part in parts:
        out += "/" + part.strip("/")
    return out


@dataclass(frozen=True)
class Lake:
    """A lake root (local directory or s3:// URI) and the pyarrow filesystem that reaches it."""

    root: str
    fs: pafs.FileSystem
    endpoint: S3Endpoint | None = None

    @classmethod
    def at(cls, location: str, environ: Mapping[str, str] | None = None) -> Lake:
        environ = os.environ if environ is None else environ
        if is_s3(location):
            parsed = urlparse(location)
            if not parsed.netloc:
                raise LakeLocationError(f"{location!r} names no bucket: use s3://bucket/prefix")
            endpoint = S3Endpoint.from_environ(environ)
            fs = pafs.S3FileSystem(
                access_key=endpoint.key_id,
                secret_key=endpoint.secret,
                session_token=endpoint.session_token,
                region=endpoint.region,
                endpoint_override=endpoint.host,
                scheme="https" if endpoint.use_ssl else "http",
                # moto, MinIO and most S3-compatible servers want path-style requests
                force_virtual_addressing=False,
            )
            return cls(location.rstrip("/"), fs, endpoint)
        if "://" in location:
            raise LakeLocationError(f"{location!r}: the lake is a local path or s3://bucket/prefix")
        return cls(os.path.abspath(location), pafs.LocalFileSystem())

    def uri(self, *parts: str) -> str:
        """The full location (what DuckDB's read_parquet takes) of `parts` under the root."""
        return join(self.root, *parts)

    def _path(self, location: str) -> str:
        """pyarrow's path for a full location: s3 paths drop the scheme."""
        return location[len("s3://") :] if is_s3(location) else location

    def _uri_of(self, path: str) -> str:
        return f"s3://{path}" if self.endpoint is not None else path

    def exists(self, location: str) -> bool:
        return self.fs.get_file_info(self._path(location)).type != pafs.FileType.NotFound

    def files(self, location: str, pattern: str = "*") -> list[str]:
        """Files under `location` (recursively) whose path relative to it matches `pattern`
        (fnmatch: `*` spans '/'), sorted."""
        selector = pafs.FileSelector(self._path(location), recursive=True, allow_not_found=True)
        base = self._path(location).rstrip("/") + "/"
        found = []
        for info in self.fs.get_file_info(selector):
            if info.type == pafs.FileType.File and fnmatch.fnmatch(info.path[len(base) :], pattern):
                found.append(self._uri_of(info.path))
        return sorted(found)

    def read_bytes(self, location: str) -> bytes:
        with self.fs.open_input_stream(self._path(location)) as fh:
            return fh.read()

    def write_bytes(self, location: str, payload: bytes) -> None:
        path = self._path(location)
        if self.endpoint is None:
            self.fs.create_dir(os.path.dirname(path), recursive=True)
        with self.fs.open_output_stream(path) as fh:
            fh.write(payload)

    def write_parquet(self, location: str, table: pa.Table) -> None:
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        self.write_bytes(location, buffer.getvalue())

    def read_parquet(self, location: str) -> pa.Table:
        return pq.read_table(self._path(location), filesystem=self.fs)

    def delete_under(self, location: str) -> None:
        for file in self.files(location):
            self.fs.delete_file(self._path(file))

    def visible_batches(self, kind_location: str) -> list[str]:
        """The batch locations under `kind_location` whose manifest exists, sorted; never a
        hidden (`.`-named) temp directory still being staged."""
        suffix = "/" + MANIFEST
        batches = [m[: -len(suffix)] for m in self.files(kind_location, f"*{suffix}")]
        return [
            b
            for b in batches
            if b.rsplit("/", 1)[0].rstrip("/") == kind_location.rstrip("/")
            and not b.rsplit("/", 1)[1].startswith(".")
        ]

    def visible_files(self, kind_location: str, pattern: str = "*") -> list[str]:
        """Data files of the visible batches only: what a reader may trust."""
        return [
            f
            for batch in self.visible_batches(kind_location)
            for f in self.files(batch, pattern)
            if not f.endswith("/" + MANIFEST)
        ]

    def upload(self, local_file: os.PathLike | str, location: str) -> None:
        """Copy a local file to `location`, streamed (an s3 object appears whole, at once)."""
        path = self._path(location)
        if self.endpoint is None:
            self.fs.create_dir(os.path.dirname(path), recursive=True)
        with open(local_file, "rb") as source, self.fs.open_output_stream(path) as target:
            while chunk := source.read(8 << 20):
                target.write(chunk)

    def delete_file(self, location: str) -> None:
        self.fs.delete_file(self._path(location))

    def open_input_file(self, location: str) -> pa.NativeFile:
        """A seekable reader of `location`: Parquet footers read alone, or a file read in
        chunks (a large export checked against its sha256)."""
        return self.fs.open_input_file(self._path(location))

    def signatures(self, location: str) -> dict[str, str]:
        """path under `location` -> "size:mtime_ns" of every file (hidden ones aside): what
        changed since a run, as `orchestration/inbox_scan.signatures` tells for local files."""
        selector = pafs.FileSelector(self._path(location), recursive=True, allow_not_found=True)
        base = self._path(location).rstrip("/") + "/"
        found = {}
        for info in self.fs.get_file_info(selector):
            relative = info.path[len(base) :]
            if info.type == pafs.FileType.File and not any(
                part.startswith(".") for part in relative.split("/")
            ):
                found[relative] = f"{info.size}:{info.mtime_ns}"
        return found

    def let_duckdb_read(self, con) -> None:
        """Let a DuckDB connection read this lake: httpfs and the secret for s3://, nothing
        for a local directory."""
        if self.endpoint is not None:
            for statement in duckdb_s3_statements(self.endpoint):
                con.execute(statement)


def duckdb_s3_statements(endpoint: S3Endpoint, extension_directory: str | None = None) -> list[str]:
    """SQL that lets a DuckDB connection read and write s3:// through httpfs, offline: the
    extension comes from the `duckdb-ext-httpfs` package (extra `s3`), never downloaded."""
    directory = extension_directory or httpfs_extension_directory()
    options = [f"type s3, region {_quote(endpoint.region)}"]
    if endpoint.key_id:
        options.append(f"key_id {_quote(endpoint.key_id)}, secret {_quote(endpoint.secret or '')}")
    if endpoint.session_token:
        options.append(f"session_token {_quote(endpoint.session_token)}")
    if endpoint.host:
        options.append(f"endpoint {_quote(endpoint.host)}, url_style 'path'")
        options.append(f"use_ssl {'true' if endpoint.use_ssl else 'false'}")
    return [
        f"set extension_directory = {_quote(directory)}",
        "load httpfs",
        f"create or replace secret u2c_lake ({', '.join(options)})",
    ]


# what `dbt_environ` derives from the lake location and the AWS variables: not settings
DERIVED_VARIABLES = frozenset(
    {
        "U2C_LAKE_ROOT",
        "U2C_DUCKDB_EXTENSION_DIRECTORY",
        "U2C_S3_ENDPOINT",
        "U2C_S3_URL_STYLE",
        "U2C_S3_USE_SSL",
    }
)


def dbt_environ(lake_root: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables dbt's profile and sources read for a lake at `lake_root`: the sources'
    root (U2C_LAKE_ROOT), and for s3:// the `s3` target with its httpfs secret (U2C_S3_*)."""
    out = {"U2C_LAKE_ROOT": lake_root}
    if not is_s3(lake_root):
        return out
    endpoint = S3Endpoint.from_environ(environ)
    out |= {
        "DBT_TARGET": "s3",
        "U2C_DUCKDB_EXTENSION_DIRECTORY": httpfs_extension_directory(),
        "U2C_S3_ENDPOINT": endpoint.host or "s3.amazonaws.com",
        "U2C_S3_URL_STYLE": "path" if endpoint.host else "vhost",
        "U2C_S3_USE_SSL": "true" if endpoint.use_ssl else "false",
    }
    return out


def httpfs_extension_directory() -> str:
    try:
        import duckdb_ext
    except ImportError as err:  # the extra is missing: say how to get it
        raise LakeLocationError(
            "an s3:// lake needs DuckDB's httpfs extension: install the `s3` extra "
            "(uv sync --extra s3)"
        ) from err
    return os.path.join(next(iter(duckdb_ext.__path__)), "extensions")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def reach_lake(con, environ: Mapping[str, str] | None = None) -> None:
    """Let a connection to the warehouse read what dbt built over an s3:// lake (its staging
    views read the bucket; the secret dbt made lives only in dbt's own connection): httpfs and
    the secret when U2C_LAKE_ROOT is s3://, nothing for a local lake."""
    environ = os.environ if environ is None else environ
    if is_s3(environ.get("U2C_LAKE_ROOT", "")):
        for statement in duckdb_s3_statements(S3Endpoint.from_environ(environ)):
            con.execute(statement)


def connect_warehouse(warehouse, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse dbt builds, able to read what its views read: over an
    s3:// lake, the staging views read the bucket (`reach_lake`). Every reader of the warehouse
    outside dbt opens it here."""
    con = duckdb.connect(str(warehouse), read_only=read_only)
    try:
        reach_lake(con)
    except BaseException:
        con.close()
        raise
    return con
