"""Extraction in worker processes, for machines with cores to spare.

``extractor.extract`` is pure CPU work and Python runs one thread at a time, so a
single crawler process uses one core. With ``FORUMCRAWL_EXTRACT_PROCESSES=N``
the spider sends response bodies to N worker processes (started with
``forkserver``, the learned site template installed once per worker) and awaits
the resulting :class:`~extractor.model.Page` while the reactor keeps downloading.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_template: Any = None


def _install(template_pickle: bytes | None) -> None:
    global _template
    _template = pickle.loads(template_pickle) if template_pickle else None


def _extract(body: bytes, url: str, headers: Mapping | None):
    import extractor

    return extractor.extract(body, url, headers=headers, template=_template)


class ExtractPool:
    """A pool of extractor processes sharing one site template."""

    def __init__(self, processes: int, template: Any) -> None:
        blob = pickle.dumps(template) if template is not None else None
        self._executor = ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("forkserver"),
            initializer=_install, initargs=(blob,),
        )

    async def extract(self, body: bytes, url: str, headers: Mapping | None):
        future = self._executor.submit(_extract, body, url, headers)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
