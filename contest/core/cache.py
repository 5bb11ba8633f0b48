"""A small cache for computed data (leaderboard pages): Redis when REDIS_URL is set, else this process's memory.

Values are JSON (so both stores hold the same thing and nobody can mutate a cached object by accident). A cache
failure is never an error for the reader: a Redis that cannot be reached is a miss, logged once per call.

With several app processes and no Redis, each process has its own memory cache, so a clear in one process does
not reach the others; entries then live at most their time to live. Production runs with Redis.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from flask import Flask, current_app

_EXTENSION = "contest_cache"


class MemoryCache:
    """A dict with expiry times; thread-safe; bounded (expired entries go first, then everything)."""

    max_entries = 10_000

    def __init__(self) -> None:
        self._data: dict[str, tuple[float | None, str]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            expires, raw = found
            if expires is not None and expires <= time.monotonic():
                del self._data[key]
                return None
        return json.loads(raw)

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        raw = json.dumps(value, separators=(",", ":"))
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._evict()
            self._data[key] = (None if ttl is None else time.monotonic() + ttl, raw)

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def incr(self, key: str) -> int:
        with self._lock:
            found = self._data.get(key)
            value = (int(json.loads(found[1])) if found else 0) + 1
            self._data[key] = (None, json.dumps(value))
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def _evict(self) -> None:
        now = time.monotonic()
        for key in [k for k, (expires, _raw) in self._data.items() if expires is not None and expires <= now]:
            del self._data[key]
        if len(self._data) >= self.max_entries:
            self._data.clear()


class RedisCache:
    """The same interface on Redis; keys carry a prefix so several sites (or test runs) can share one server."""

    def __init__(self, url: str, prefix: str = "contest:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._errors = (redis.RedisError, OSError)
        self.prefix = prefix

    def _warn(self, what: str) -> None:
        current_app.logger.warning("Cache: Redis %s failed; going without the cache", what, exc_info=True)

    def get(self, key: str) -> Any:
        try:
            raw = self._redis.get(self.prefix + key)
        except self._errors:
            self._warn("get")
            return None
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        raw = json.dumps(value, separators=(",", ":"))
        try:
            if ttl is None:
                self._redis.set(self.prefix + key, raw)
            else:
                self._redis.set(self.prefix + key, raw, px=max(1, int(ttl * 1000)))
        except self._errors:
            self._warn("set")

    def delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            self._redis.delete(*(self.prefix + k for k in keys))
        except self._errors:
            self._warn("delete")

    def incr(self, key: str) -> int:
        try:
            return int(self._redis.incr(self.prefix + key))
        except self._errors:
            self._warn("incr")
            # Without Redis nothing is cached either (get misses), so a stale page cannot be served.
            return int(time.time() * 1000)

    def clear(self) -> None:
        try:
            keys = list(self._redis.scan_iter(match=self.prefix + "*", count=1000))
            if keys:
                self._redis.delete(*keys)
        except self._errors:
            self._warn("clear")


Cache = MemoryCache | RedisCache


def init_cache(app: Flask) -> Cache:
    cache: Cache
    if app.config.get("REDIS_URL"):
        prefix = app.config.get("CACHE_KEY_PREFIX") or app.config.get("RATELIMIT_KEY_PREFIX") or "contest"
        cache = RedisCache(app.config["REDIS_URL"], prefix=f"{prefix}:cache:")
    else:
        cache = MemoryCache()
    # Two threads may build one at the same moment: both then use the first one stored.
    return app.extensions.setdefault(_EXTENSION, cache)


def get_cache() -> Cache:
    """The application's cache, made on first use."""
    cache = current_app.extensions.get(_EXTENSION)
    return cache if cache is not None else init_cache(current_app)

