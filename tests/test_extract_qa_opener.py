"""A Q&A page whose question names its asker only in a sidebar card ("发起人"), not in its own
markup, and whose controls are script links sharing the user links' class prefix (WeCenter's
layout, written from scratch here)."""
from __future__ import annotations

from datetime import datetime, timezone

from extractor import SiteTemplate, extract

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
ANSWERS = [("王小明", "说实话，朋友推荐的方法很管用，第一次失败很正常。早上六点出发人比较少。"),
           ("张丽", "去年我也遇到过，天气不好的时候就别勉强了，每天坚持半小时效果明显。温度控制在二十五度左右。"),
           ("lihua", "分享一下我的做法，每天坚持半小时效果明显，第一次失败很正常。多问问有经验的人总没错。"),
           ("marta", "顺便问一句，早上六点出发人比较少，朋友推荐的方法很管用。价格其实没有想象中那么贵。")]


def _answer(n: int, name: str, text: str) -> str:
    return f"""<div class="aw-item" data-item-id="{n}">
  <div class="mod-head"><div class="title">
    <a class="aw-user-img" href="/?/people/{name}"><img src="/a.png" alt=""></a>
    <a class="aw-user-name" href="/?/people/{name}" data-id="{n}">{name}</a></div></div>
  <div class="mod-body"><div class="markitup-box">{text}</div></div>
  <div class="mod-footer"><div class="meta">
    <span class="aw-small-text pull-right">2024-04-29 0{n}:08:20</span>
    <span class="operate"><a href="javascript:;" class="agree"><b class="count">0</b></a></span>
    <span class="operate"><a href="javascript:;" onclick="toggle(this)" class="aw-add-comment">添加讨论</a></span>
  </div></div></div>"""


def page(answers: list[tuple[str, str]], qid: int = 5) -> str:
    # (each page's own texts: a template learns what repeats on every page as the site's frame)
    rows = "\n".join(_answer(n + 1, name, f"{text}（{qid}）") for n, (name, text) in enumerate(answers))
    return f"""<html><head><meta charset="utf-8"><title>第一次做红烧肉的经验 - 问答</title></head><body>
<div class="aw-top"><a href="/">首页</a> <a href="/?/explore/">发现</a> <a href="/?/login/">登录</a></div>
<div class="container"><div class="row">
<div class="aw-main-content col-md-9">
  <div class="aw-mod aw-question-detail aw-item">
    <div class="mod-head"><h1>第一次做红烧肉的经验 {qid}</h1></div>
    <div class="mod-body"><div class="content markitup-box">我觉得，网上的教程大多说得太简单，价格其实没有想象中那么贵。温度控制在二十五度左右，问题{qid}。</div></div>
    <div class="mod-footer"><div class="meta">
      <span class="aw-small-text">2024-04-28 23:06:40</span>
      <a href="javascript:;" onclick="toggle(this)" class="aw-add-comment aw-small-text">添加讨论</a>
      <a href="javascript:;" class="aw-small-text" onclick="share()">分享</a></div></div>
  </div>
  <div class="aw-mod"><div class="mod-head"><h2>{len(answers)} 个回复</h2></div>
  <div class="mod-body aw-feed-list aw-replies">{rows}</div></div>
</div>
<div class="col-md-3 aw-side-bar">
  <div class="aw-mod"><div class="mod-head"><h3>发起人</h3></div>
    <div class="mod-body"><div class="user-detail">
      <a class="aw-user-img" href="/?/people/陈伟"><img src="/a.png" alt=""></a>
      <a class="aw-user-name" href="/?/people/陈伟" data-id="4">陈伟</a></div></div></div>
  <div class="aw-mod"><div class="mod-head"><h3>相关主题</h3></div>
    <div class="mod-body"><ul><li><a href="/?/question/6">上海地铁早高峰</a></li>
    <li><a href="/?/question/2">家里的猫不爱吃饭怎么办</a></li></ul></div></div>
</div></div></div></body></html>"""


def test_the_asker_is_named_by_the_opener_card_not_a_script_link() -> None:
    result = extract(page(ANSWERS), "http://h/?/question/5", now=NOW)
    assert result.kind == "thread"
    assert [p.author for p in result.posts] == ["陈伟"] + [name for name, _ in ANSWERS]
    assert result.posts[1].text == ANSWERS[0][1] + "（5）"
    assert "添加讨论" not in {p.author for p in result.posts}


def test_a_question_with_one_answer_is_two_posts_with_their_own_texts() -> None:
    template = SiteTemplate.learn([(page(ANSWERS, qid), f"http://h/?/question/{qid}") for qid in (5, 6, 7)])
    result = extract(page(ANSWERS[1:2], 8), "http://h/?/question/8", now=NOW, template=template)
    assert [(p.author, p.text) for p in result.posts] == [
        ("陈伟", "我觉得，网上的教程大多说得太简单，价格其实没有想象中那么贵。温度控制在二十五度左右，问题8。"),
        (ANSWERS[1][0], ANSWERS[1][1] + "（8）")]
