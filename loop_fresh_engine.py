"""Crawl a fresh PHP engine N times under a CPU hog (reproducing load-only failures).

python loop_fresh_engine.py ENGINE N HOGS [REPO] [OUT]: REPO is the source tree crawled with
(default: this worktree), OUT the directory of logs, stores and HTTP caches.
"""
import os, sys, subprocess
here = os.path.dirname(os.path.abspath(__file__))
repo = sys.argv[4] if len(sys.argv) > 4 else here
out = sys.argv[5] if len(sys.argv) > 5 else "/tmp/softfail/run"
os.makedirs(out, exist_ok=True)
sys.path.insert(0, repo); sys.path.insert(0, os.path.join(repo, "tests"))
from tests.test_crawl_php_engines import ENGINES, source_dir, stored_posts, metrics, as_scored, SETTINGS
from tests.sites import crawl_command, _env
from datetime import timezone
name = sys.argv[1]; n = int(sys.argv[2]); nh = int(sys.argv[3])
modules, needs, running = ENGINES[name]
for i in range(n):
  try:
    ctx = running(source_dir(name.split("-")[0])); forum = ctx.__enter__()
  except Exception as exc:  # (an engine's setup under load may fail: that crawl is not counted)
    print(i, "setup failed:", str(exc)[:100], flush=True)
    continue
  try:
        hogs = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(nh)]
        store = f"sqlite:///{out}/f{name}{i}.db"
        try:
            proc = subprocess.run(crawl_command(forum.base_url + "/", store, *SETTINGS, "LOG_LEVEL=DEBUG", "HTTPCACHE_ENABLED=True", f"HTTPCACHE_DIR={out}/cache{i}"), cwd=repo,
                                  capture_output=True, text=True, timeout=300, env=_env())
        finally:
            for h in hogs: h.kill()
        open(f"{out}/f{name}{i}.log", "w").write(proc.stderr)
        posts = stored_posts(store, forum.base_url)
        score = metrics.score_site(forum.threads, [as_scored(p) for p in posts], naive_as=timezone.utc)
        refetched = [l.split(":")[-1].strip(" ,") for l in proc.stderr.splitlines() if "'forumcrawl/refetched_broken'" in l]
        gets = [l.split(":")[-1].strip(" ,") for l in proc.stderr.splitlines() if "'downloader/request_method_count/GET'" in l]
        print(i, proc.returncode, score.summary(), "GETs", gets, "refetched", refetched, flush=True)
        if score.f1 < 1:
            for f in score.failures[:4]: print("   ", str(f)[:200].replace("\n", " | "), flush=True)
  finally:
    ctx.__exit__(None, None, None)
