"""A site template learnt from a sample with several thread pages holds the thread pages' own
furniture: each answer's hidden comment form ("Your comment on this answer:", its field labels,
its privacy note), its vote and byline labels ("votes", "answered", "by", "points)"). Masked, those
lines are no content; the posts holding them must still be read (a Q&A engine's answers with
short texts lost most of their characters to the mask, and were taken for link lists: posts
vanished from thread pages the template was learnt beside). Synthetic pages in the style of such
an engine, with and without schema.org microdata: the answers are found as marked-up postings, as
a repeated element, or at the template's known post path, and the question above them (with a
comment form of its own, and built unlike them) as the opening post."""
from __future__ import annotations

from html import escape

import pytest

from extractor import SiteTemplate, extract

B = "http://qa.example/"
MENU = ("<div class='hdr'><a href='/'>首页</a> <a href='/questions'>问题</a> <a href='/tags'>标签</a> "
        "<a href='/users'>用户</a> <a href='/ask'>提问</a></div>")
FOOT = "<div class='foot'>Powered by a small Q&amp;A engine. 本站内容仅供交流。</div>"
USERS = ["lin", "marta", "zhou", "kenji", "alba", "tomasz"]
WORDS = ["先把基础打牢再说", "每天练习半小时", "书店里能找到旧版本", "多问问有经验的人", "第一次失败很正常",
         "关键是要有耐心", "可以先从小项目开始", "周末时间比较充裕", "网上的教程也不错", "记得做笔记"]
FORM_LINES = ("Your comment on this answer:", "Your name to display (optional):", "votes", "answered", "points)")


def _answer_text(q: int, a: int) -> str:
    # mostly short answers (a few words beside a comment form several times longer), every third long
    return "，".join(WORDS[(q * 3 + a + k) % len(WORDS)] for k in range(2 + 7 * (a % 3 == 0))) + f"。（第{q}题第{a}答）"


def _answer(q: int, a: int, md: bool) -> str:
    user = USERS[(q + a) % len(USERS)]
    item = " itemprop='suggestedAnswer' itemscope itemtype='https://schema.org/Answer'" if md else ""
    text = " itemprop='text'" if md else ""
    return (
        f"<div class='a-item' id='a{q}{a}'{item}>"
        f"<form method='post' action='/q/{q}'><div class='voting'><input type='submit' value='+'>"
        f"<span class='vote-count'><span class='vc-data'>{a % 3}</span><span class='vc-pad'> votes</span></span>"
        f"</div></form>"
        f"<div class='a-main'><form method='post' action='/q/{q}'><span class='a-meta'>"
        f"<a class='a-what' href='/q/{q}?show={a}#a{a}'>answered</a> "
        f"<span class='a-when'><time datetime='2024-05-{a + 1:02d}T10:{q:02d}:00Z'>May {a + 1}, 2024</time></span> "
        f"<span class='a-who'><span class='pad'>by </span><a class='user' href='/user/{user}'>{user}</a> "
        f"<span class='pts'><span class='pad'>(</span><span class='pts-data'>{100 + q * a}</span>"
        f"<span class='pad'> points)</span></span></span></span>"
        f"<div class='a-content'><div{text}>{escape(_answer_text(q, a))}</div></div>"
        f"<input type='submit' name='a{a}_docomment' value='comment'></form>"
        f"<div class='c-form' id='c{q}{a}' style='display:none'><h2>Your comment on this answer:</h2>"
        f"<form method='post' action='/q/{q}'><table class='ftable'>"
        f"<tr><td class='fdata'><textarea name='c{a}_content'></textarea></td></tr>"
        f"<tr><td class='flabel'>Your name to display (optional):</td></tr>"
        f"<tr><td class='flabel'><label><input type='checkbox' name='c{a}_notify'>"
        f"<span>Email me at this address if a comment is added after mine:</span></label></td></tr>"
        f"<tr><td class='fdata'><input type='text' name='c{a}_email'>"
        f"<div class='fnote'>Privacy: Your email address will only be used for sending these notifications.</div>"
        f"</td></tr></table></form></div></div></div>")


def _thread(q: int, answers: int, md: bool) -> str:
    scope = " itemscope itemtype='https://schema.org/QAPage'" if md else ""
    item = " itemprop='mainEntity' itemscope itemtype='https://schema.org/Question'" if md else ""
    text = " itemprop='text'" if md else ""
    user = USERS[q % len(USERS)]
    question = f"请问第{q}个问题该怎么入手？" + "，".join(WORDS[(q + k) % len(WORDS)] for k in range(3)) + "，大家怎么看？"
    return (
        f"<html><head><title>问题 {q}</title></head><body{scope}>{MENU}<div class='main'>"
        f"<h1>问题 {q}</h1><div class='q-view' id='q{q}'{item}>"
        f"<span class='q-meta'><a class='q-what' href='/q/{q}'>asked</a> "
        f"<time datetime='2024-04-{q % 28 + 1:02d}T08:00:00Z'>Apr {q % 28 + 1}, 2024</time> "
        f"<span class='pad'>by </span><a class='user' href='/user/{user}'>{user}</a></span>"
        f"<div class='q-content'><p{text}>{escape(question)}</p></div>"
        f"<div class='c-form' id='cq{q}' style='display:none'><h2>Your comment on this question:</h2>"
        f"<form method='post' action='/q/{q}'><table class='ftable'>"
        f"<tr><td class='fdata'><textarea name='q_content'></textarea></td></tr>"
        f"<tr><td class='flabel'>Your name to display (optional):</td></tr>"
        f"<tr><td class='fdata'><input type='text' name='q_email'>"
        f"<div class='fnote'>Privacy: Your email address will only be used for sending these notifications.</div>"
        f"</td></tr></table></form></div></div>"
        f"<div class='answer-form'><h2>Your answer</h2><form><textarea name='content'></textarea>"
        f"<div class='fnote'>Privacy: Your email address will only be used for sending these notifications.</div>"
        f"</form></div>"
        f"<div class='a-list-part'><h2>{answers} Answers</h2><div class='a-list'>"
        + "".join(_answer(q, a, md) for a in range(1, answers + 1))
        + f"</div></div></div>{FOOT}</body></html>")


def _listing(title: str, qs: list[int]) -> str:
    rows = "".join(f"<div class='q-row'><a href='/q/{q}'>问题 {q}</a> <span class='cnt'>{q % 5} answers</span> "
                   f"<time datetime='2024-04-{q % 28 + 1:02d}T08:00:00Z'>Apr {q % 28 + 1}, 2024</time></div>"
                   for q in qs)
    return (f"<html><head><title>{title}</title></head><body>{MENU}<div class='main'><h1>{title}</h1>"
            f"<div class='q-list'>{rows}</div></div>{FOOT}</body></html>")


def _template(md: bool, units: bool) -> SiteTemplate:
    # a warm-up's sample: two listings and three question pages (each its own chain); learnt from
    # the pages with their URLs, the template knows where the answers sit (post_units), from bare
    # HTML it does not and each page's answers are found afresh
    sample = [(_listing("最新问题", list(range(1, 12))), B), (_listing("热门问题", list(range(5, 18))), B + "hot")]
    sample += [(_thread(q, n, md), f"{B}q/{q}") for q, n in ((3, 5), (4, 3), (5, 8))]
    return SiteTemplate.learn([(html, url, url) if units else html for html, url in sample])


@pytest.mark.parametrize("units", [True, False], ids=["known-units", "no-units"])
@pytest.mark.parametrize("md", [True, False], ids=["microdata", "plain"])
def test_answers_holding_template_lines_are_still_posts(md, units):
    tpl = _template(md, units)
    assert units or not tpl.post_units
    assert set(FORM_LINES) <= {text for _, text in tpl.keys}    # the answers' furniture is template
    for q, answers in ((7, 2), (8, 6), (9, 8), (5, 8)):
        url = f"{B}q/{q}"
        page = extract(_thread(q, answers, md), url, template=tpl)
        bare = extract(_thread(q, answers, md), url)
        assert page.kind == bare.kind == "thread", (q, page.kind)
        got = [(p.author, p.published, p.text) for p in page.posts]
        assert len(got) == answers + 1, q
        assert [g[:2] for g in got] == [(p.author, p.published) for p in bare.posts], q
        assert got[0][2].startswith(f"请问第{q}个问题"), q
        assert [t for _, _, t in got[1:]] == [_answer_text(q, a) for a in range(1, answers + 1)], q
        assert not any(line in t for _, _, t in got for line in FORM_LINES), q
