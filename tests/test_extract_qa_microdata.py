"""A Q&A page marked up with schema.org microdata (a ``Question`` holding the whole column,
``suggestedAnswer`` items) whose comments under the answers carry no markup and only a relative
date with a tenth ("7.6 years ago"), and whose question's byline names its last editor before its
writer, both as ``itemprop="author"`` (the layout of a Django Q&A engine, written from scratch here)."""
from __future__ import annotations

from datetime import datetime, timezone

from extractor import extract
from extractor.units import _QUICK_DIGIT_RE

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
USERS = {"ann": "Ann Kowalski", "ben": "Ben Okafor", "cy": "Cy Tran", "dee": "Dee Laurent"}


def _byline(who: str, editor: str | None = None) -> str:
    edited = (f'updated 7.4 years ago by <a itemprop="author" itemscope itemtype="https://schema.org/Person" '
              f'href="/u/{editor}/"><span itemprop="name">{USERS[editor]}</span></a> &bull; 3 &bull; ') if editor else ""
    return (f'<span class="status muted">{edited}written 7.6 years ago by <a itemprop="author" itemscope '
            f'itemtype="https://schema.org/Person" href="/u/{who}/"><span itemprop="name">{USERS[who]}</span></a>'
            f' &bull; 12</span>')


def _comment(n: int, who: str, text: str) -> str:
    return f"""<div class="indent"><div><a name="c{n}"></a>
<div class="post comment" data-value="c{n}"><div class="body">
 <div class="voting"><button class="ui button">up</button><div class="score">0</div></div>
 <div class="content"><div class="magnify"><p>{text}</p></div>
  <div class="actions"><a class="add-comment label">ADD REPLY</a> &bull; <a href="/p/1/#c{n}">link</a>
   <span class="status muted"><span>7.6 years ago by <a href="/u/{who}/">{USERS[who]}</a> &bull; 0</span></span>
  </div></div></div></div></div></div>"""


def _post(n: int, who: str, text: str, *, question: bool = False, editor: str | None = None,
          comments: str = "") -> str:
    scope = "" if question else 'itemprop="suggestedAnswer" itemscope itemtype="https://schema.org/Answer"'
    return f"""<div class="ui vertical segment"><a name="{n}"></a><div class="post view" data-value="{n}">
<div class="body" {scope}>
 <div class="voting"><button class="ui button">up</button><div class="score" itemprop="upvoteCount">0</div></div>
 <div class="content"><div class="inplace"><div class="wrap">
  <div class="user_box"><a href="/u/{who}/"><img src="/a/{who}.png"></a>
   <div class="muted"><div>7.6 years ago</div><div><a href="/u/{who}/">{USERS[who]}</a> &bull; 12</div></div></div>
  <span itemprop="text"><p>{text}</p></span></div>
  <time itemprop="dateCreated" datetime="2019-05-06"></time>
  <div class="actions"><a class="add-comment label">ADD COMMENT</a> &bull; <a itemprop="url" href="/p/1/#{n}">link</a>
   {_byline(who, editor)}</div></div>
  <div class="comment-list">{comments}</div>
 </div></div></div></div>"""


def page() -> str:
    question = _post(1, "ann", "My aligner stops with a segmentation fault after ten minutes on every large "
                     "sample, although small subsets finish fine. What should I check first?",
                     question=True, editor="dee")
    answers = [
        _post(2, "ben", "Lower the number of threads so each worker gets more memory, and sort the input "
              "by coordinate before you start the run.",
              comments=_comment(3, "ann", "Sorting first fixed it here, thank you very much for the hint.")
              + _comment(4, "cy", "Same for us on the cluster once the index was rebuilt with the new release.")),
        _post(5, "cy", "Check that the read names contain no spaces, because the parser downstream splits "
              "on them and then reads garbage as the sequence."),
        _post(6, "dee", "Rebuild the reference index with the current release: older indexes crash the "
              "newer aligner on long chromosomes.",
              comments=_comment(7, "ben", "That was exactly our problem last spring with the plant genome.")),
    ]
    return f"""<html><head><title>Aligner segfault on large samples</title></head><body>
<div class="menu"><a href="/">Latest</a> <a href="/t/">Tags</a> <a href="/user/list/">Users</a></div>
<div class="grid"><div class="twelve wide column">
<span itemprop="mainEntity" itemscope itemtype="https://schema.org/Question">
<div class="title" itemprop="name">Aligner segfault on large samples</div>
{question}
{''.join(answers)}
</span></div>
<div class="four wide column"><div class="title">Similar Posts</div></div></div>
<div class="footer"><a href="/info/about/">About</a> <a href="/info/faq/">FAQ</a></div>
</body></html>"""


def test_a_relative_date_with_a_tenth_is_a_date() -> None:
    assert _QUICK_DIGIT_RE.search("7.6 years ago by")
    assert _QUICK_DIGIT_RE.search("1.5 hours ago")
    assert not _QUICK_DIGIT_RE.search("costs 3.50 more")


def test_comments_under_microdata_answers_are_posts_with_their_parents() -> None:
    posts = extract(page(), "http://qa.example/p/1/", now=NOW).posts
    assert [(p.author, p.parent) for p in posts] == [
        ("Ann Kowalski", None), ("Ben Okafor", None), ("Ann Kowalski", 2), ("Cy Tran", 2),
        ("Cy Tran", None), ("Dee Laurent", None), ("Ben Okafor", 6)]
    assert posts[2].text.startswith("Sorting first fixed it")


def test_the_last_editor_marked_up_as_author_is_not_the_writer() -> None:
    posts = extract(page(), "http://qa.example/p/1/", now=NOW).posts
    assert posts[0].author == "Ann Kowalski"   # not "Dee Laurent", named first: "updated ... by"


def test_a_lone_comment_under_one_answer_is_a_post() -> None:
    """Nothing on the page repeats it: it is found as the one dated block after an answer's text."""
    html = page().replace(_comment(4, "cy", "Same for us on the cluster once the index was rebuilt with the new "
                                   "release."), "")
    html = html.replace(_comment(7, "ben", "That was exactly our problem last spring with the plant genome."), "")
    posts = extract(html, "http://qa.example/p/1/", now=NOW).posts
    assert [(p.author, p.parent) for p in posts] == [
        ("Ann Kowalski", None), ("Ben Okafor", None), ("Ann Kowalski", 2), ("Cy Tran", None), ("Dee Laurent", None)]
