"""Stage 2, fetch: the bytes of every resource into the content-addressed raw store, each retrieval in the
ledger (validators, so an unchanged remote file is not downloaded again), remote URLs under a host policy."""

from pipeline.fetch.http import USER_AGENT, Fetcher, fetcher_for, host_slot, retry_after_seconds
from pipeline.fetch.ledger import Ledger
from pipeline.fetch.policy import HostPolicy
from pipeline.fetch.store import Incoming, RawStore
from pipeline.fetch.types import Fetched, FetchedRef, FetchError
from pipeline.fetch.urls import is_remote, local_path, redact, rewrite_url

__all__ = [
    "USER_AGENT",
    "FetchError",
    "Fetched",
    "FetchedRef",
    "Fetcher",
    "HostPolicy",
    "Incoming",
    "Ledger",
    "RawStore",
    "fetcher_for",
    "host_slot",
    "is_remote",
    "local_path",
    "redact",
    "retry_after_seconds",
    "rewrite_url",
]
