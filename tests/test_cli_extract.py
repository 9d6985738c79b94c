"""`forumcrawl extract`: JSON and text output from a file or standard input, as a user runs it."""
import json
import subprocess
import sys

from crawler.cli import main

THREAD = """<html><head><meta charset="gbk"><title>求助：自行车链条打滑</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/forum-2-1.html">单车论坛</a></div>
<h1>求助：自行车链条打滑</h1>
<div id="postlist">
<div class="post" id="post_101"><div class="author"><a href="/u/1">老王</a></div><div class="date">发表于 2024-5-1 10:20</div>
<div class="message">最近骑车的时候链条总是打滑，特别是上坡用力踩的时候，请问是什么原因，需要换飞轮吗？</div></div>
<div class="post" id="post_102"><div class="author"><a href="/u/2">小李</a></div><div class="date">发表于 2024-5-1 11:05</div>
<div class="message">先用链条尺量一下链条有没有拉长，超过百分之零点七五就要换链条，飞轮磨损也会打滑。</div></div>
<div class="post" id="post_103"><div class="author"><a href="/u/3">阿强</a></div><div class="date">发表于 2024-5-2 09:12</div>
<div class="message">还要检查变速器有没有调好，线管老化也会导致跳档，清洗一下传动系统再试试。</div></div>
</div><div class="pages"><strong>1</strong><a href="/thread-9-2-1.html">2</a><a href="/thread-9-2-1.html">下一页</a></div>
</body></html>"""


def test_json_output_from_a_file(tmp_path, capsys):
    path = tmp_path / "thread.html"
    path.write_bytes(THREAD.encode("gbk"))
    assert main(["extract", str(path), "--url", "https://bbs.example.cn/thread-9-1-1.html"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "求助：自行车链条打滑"
    assert data["encoding"] == "gb18030"
    assert "链条总是打滑" in data["text"] and "变速器" in data["text"]
    assert data["next_page_url"] == "https://bbs.example.cn/thread-9-2-1.html"
    assert data["language"] == "zh"
    assert {"url", "kind", "posts", "links", "warnings"} <= set(data)


def test_text_output_from_stdin_in_a_subprocess():
    proc = subprocess.run([sys.executable, "-c", "import sys; from crawler.cli import main; sys.exit(main())",
                           "extract", "-", "--url",
                           "https://bbs.example.cn/thread-9-1-1.html", "--format", "text"],
                          input=THREAD.encode("gbk"), capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert out.startswith("# 求助：自行车链条打滑")
    assert "kind: " in out and "飞轮磨损" in out


def test_missing_file_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "nope.html"), "--url", "http://x/"]) == 1
    assert "cannot read" in capsys.readouterr().err
