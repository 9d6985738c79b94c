"""The known content the PHP test forums (Discuz! X, FluxBB) are seeded with.

Deterministic: several authors, threads of 1 to 23 posts (several pages each at
five posts a page), mostly Chinese text with a few English posts; every post's
text is unique so a duplicate or a lost post shows in the score.
"""
from __future__ import annotations

import random

USERS = ["admin", "王小明", "lihua", "陈伟", "marta", "张丽"]

TOPICS = ["周末去哪里爬山", "家里的猫不爱吃饭怎么办", "推荐几本好看的科幻小说", "旧电脑装什么系统好",
          "第一次做红烧肉的经验", "上海地铁早高峰", "Sourdough starter in a cold kitchen", "学吉他三个月的感想",
          "阳台种番茄的问题", "孩子学编程从哪里开始"]
SIZES = [1, 2, 4, 6, 9, 12, 17, 23, 3, 5]

_OPENERS = ["我觉得", "说实话", "补充一点", "去年我也遇到过", "同意楼上", "有不同看法", "分享一下我的做法", "顺便问一句"]
_BITS = ["早上六点出发人比较少", "最好提前一天准备好东西", "价格其实没有想象中那么贵", "朋友推荐的方法很管用",
         "网上的教程大多说得太简单", "关键是要有耐心慢慢来", "天气不好的时候就别勉强了", "换了一个牌子以后好多了",
         "多问问有经验的人总没错", "第一次失败很正常", "周边的小店味道也不错", "记得多带一瓶水",
         "书店里能找到旧版本", "温度控制在二十五度左右", "每天坚持半小时效果明显", "别忘了做好笔记"]
_EN = ["Keep it somewhere cool and feed it twice a week.", "I tried that last winter and it worked fine.",
       "The trick is patience, honestly.", "Rye flour makes it more active in my experience.",
       "Mine died once; a fresh start took five days.", "A warm oven with only the light on helps a lot."]


def threads() -> list[dict]:
    """[{"title", "posts": [{"author", "text", "time"}]}] in posting order."""
    rnd = random.Random(9)
    t0 = 1_714_000_000  # 2024-04-24 UTC
    out = []
    for n, (title, size) in enumerate(zip(TOPICS, SIZES)):
        english = title.isascii()
        posts = []
        for i in range(size):
            author = USERS[(n + i * 3 + (i > 1)) % len(USERS)]
            if english:
                text = " ".join(rnd.sample(_EN, 3)) + f" (post {i + 1} of thread {n + 1})"
            else:
                bits = rnd.sample(_BITS, 3)
                text = f"{rnd.choice(_OPENERS)}，{bits[0]}，{bits[1]}。{bits[2]}。（第{n + 1}帖第{i + 1}楼）"
            posts.append({"author": author, "text": text, "time": t0 + n * 86_400 + i * 3_700})
        out.append({"title": title, "posts": posts})
    return out


def threads_quoting() -> list[dict]:
    """:func:`threads`, every 4th reply from the third on quoting the post before it
    (``post["quotes"]``: that post's index), as a plugin's editor writes a quote."""
    out = threads()
    for thread in out:
        for i, post in enumerate(thread["posts"]):
            if i >= 2 and i % 4 == 2:
                post["quotes"] = i - 1
    return out
