"""The known content every test forum engine is seeded with.

Engine-neutral and standard-library only: each engine's seeding script (run
inside that engine's own virtualenv) imports this file by path and posts the
same users, boards, threads and posts through the engine. The seeder reports
back what the engine stored (URLs, dates), which becomes the ground truth.

Post bodies are plain paragraphs separated by blank lines, so that they read
the same in Markdown and BBCode. A post may quote an earlier post of the same
thread (``quote_of``: 0-based index of that post); the quoted text is not part
of the post's own ``body``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

USERS = ["alice", "bob_smith", "chenwei", "lihua", "dmitri", "marta"]

BOARDS = [
    {"key": "general", "name": "General Discussion", "description": "Anything at all, in English."},
    {"key": "zh", "name": "中文讨论区", "description": "用中文聊天的地方。"},
]


@dataclass
class SeedPost:
    author: str
    body: str
    published: datetime
    quote_of: int | None = None


@dataclass
class SeedThread:
    board: str
    title: str
    posts: list[SeedPost] = field(default_factory=list)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def _sourdough() -> SeedThread:
    t0 = _utc(2024, 3, 14, 9, 26)
    bodies = [
        ("alice", "I have been keeping a sourdough starter for about two months now. It lives on the "
         "kitchen counter and I feed it every morning with equal weights of rye flour and water.\n\n"
         "The problem is that I travel a lot for work. What is the best way to store it when I am away "
         "for a week or longer?", None),
        ("bob_smith", "Put it in the fridge. Feed it, wait an hour or two, then close the jar and keep it "
         "cold. A healthy starter survives three or four weeks like that without any attention.", None),
        ("chenwei", "Agreed with the fridge advice. When you come back, take it out the evening before, "
         "discard most of it and give it two feeds at room temperature before baking again.", 0),
        ("marta", "Another option for long trips is drying it. Spread a thin layer on baking paper, let it "
         "dry completely, crumble the flakes and keep them in a sealed jar. Dried flakes keep for months.", None),
        ("alice", "Thanks everyone! I went with the fridge for my last trip and it bubbled happily again "
         "after two feeds. I will try the dried flakes as a backup before my holiday in August.", 3),
    ]
    return SeedThread("general", "Best way to store a sourdough starter while travelling?", [
        SeedPost(a, b, t0 + timedelta(hours=3 * i, minutes=7 * i), q) for i, (a, b, q) in enumerate(bodies)
    ])


_PLACES = ["Riverside", "Oak Hill", "the harbour", "Millbrook", "the old quarry", "Kingsbridge",
           "Cedar Lake", "the ridge road", "Fairview", "the canal path", "Elm Park", "Stonegate"]
_WEATHER = ["a cold northerly wind", "steady drizzle", "bright sunshine", "thick morning fog",
            "a warm tailwind", "gusty crosswinds", "light snow on the verges", "sticky humid air"]
_SENTENCES = [
    "My chain started skipping on the big cog, so the derailleur needs a proper adjustment.",
    "Two new riders joined us and kept a strong pace the whole way.",
    "We stopped at the bakery for cinnamon buns and far too much coffee.",
    "The climb after the bridge felt easier than last month.",
    "Somebody punctured twice on the gravel section and we ran out of spare tubes.",
    "Traffic was light because of the bank holiday.",
    "I tried the new saddle and my back is grateful.",
    "The farmer has finally repaired the potholes near the barn.",
    "Average heart rate stayed lower than usual, so the winter training is paying off.",
    "A deer crossed the lane right in front of the group.",
    "Next week we might start an hour earlier to avoid the market crowds.",
    "My front light died halfway, luckily the tunnel is short.",
    "We counted eleven herons along the water meadows.",
    "The descent into the valley was slippery with wet leaves.",
    "Legs were heavy after yesterday's gym session.",
    "Our route planner sent us through a field of curious cows.",
    "The cafe owner now knows everybody's usual order.",
    "I forgot my gloves and regretted it within ten minutes.",
    "Tyre pressure at sixty psi made the cobbles bearable.",
    "Please bring a pump that actually fits presta valves.",
    "The headwind on the way back turned into a slow grind.",
    "We waited at the level crossing for a very long freight train.",
    "New bar tape, new bottle cage, same slow rider.",
    "A friendly dog chased us for a hundred metres and then gave up.",
]


def _ride_log() -> SeedThread:
    """A thread long enough to span three or more pages on any engine."""
    rng = random.Random(20240105)
    t0 = _utc(2024, 1, 5, 7, 45)
    posts: list[SeedPost] = []
    for i in range(48):
        start, end = rng.sample(_PLACES, 2)
        km = 20 + (i * 7) % 61
        extra = rng.sample(_SENTENCES, 2)
        body = (f"Ride number {i + 1}: {km} km from {start} to {end} in {rng.choice(_WEATHER)}. "
                f"{extra[0]}\n\n{extra[1]}")
        quote_of = i - 3 if i in (10, 30) else None
        posts.append(SeedPost(USERS[i % 5], body, t0 + timedelta(days=i // 3, hours=2 * (i % 3), minutes=11 * (i % 5)),
                              quote_of))
    return SeedThread("general", "Weekly group ride log (post your rides here)", posts)


def _hiking_zh() -> SeedThread:
    t0 = _utc(2023, 10, 2, 13, 5)
    bodies = [
        ("lihua", "国庆假期想找个离市区不远的地方爬山，最好是一天能来回的路线。大家有什么推荐吗？\n\n"
         "我们一共四个人，体力一般，希望风景好一点，人不要太多。", None),
        ("chenwei", "推荐凤凰岭北线，坐公交就能到山脚，全程大概五个小时。上山的石阶有点陡，记得多带水。", None),
        ("dmitri", "I can only write a little Chinese. 我上个月去了香山，人特别多，不太推荐假期去。", None),
        ("lihua", "谢谢！凤凰岭听起来不错。请问山上有没有卖吃的地方？我们需要自己带午饭吗？", 1),
        ("chenwei", "山顶附近有几个小摊卖泡面和玉米，不过价格比较贵。建议自己带三明治和水果，轻松又省钱。", 3),
        ("alice", "去年秋天我也走过那条线，红叶非常漂亮，下山的时候注意膝盖，最好带登山杖。", None),
    ]
    return SeedThread("zh", "国庆假期北京周边爬山路线推荐", [
        SeedPost(a, b, t0 + timedelta(hours=5 * i, minutes=13 * i), q) for i, (a, b, q) in enumerate(bodies)
    ])


_ZH_TOPICS = ["列表推导式", "装饰器", "生成器", "上下文管理器", "类型注解", "虚拟环境", "单元测试", "异步编程",
              "正则表达式", "数据类", "日志模块", "命令行参数"]
_ZH_SENTENCES = [
    "刚开始看的时候觉得很抽象，写了几个小例子之后就明白了。",
    "官方文档写得很清楚，建议先把教程部分从头到尾读一遍。",
    "我在公司的项目里用过，代码一下子短了很多。",
    "调试的时候遇到一个奇怪的问题，后来发现是缩进写错了。",
    "推荐大家多做练习题，光看书是记不住的。",
    "这个功能在新版本里有了改进，运行速度更快。",
    "晚上下班以后每天学一个小时，坚持了三个月。",
    "有同事建议我先学好基础语法再看框架。",
    "书上的例子有些过时了，需要自己改一改才能运行。",
    "和朋友一起讨论问题的时候收获最大。",
    "遇到不懂的地方就去社区提问，大家都很热心。",
    "写博客记录学习过程也是一个好办法。",
]


def _python_zh() -> SeedThread:
    """A Chinese thread spanning two pages or more."""
    rng = random.Random(31415)
    t0 = _utc(2022, 6, 18, 20, 30)
    posts = []
    for i in range(25):
        topic = _ZH_TOPICS[i % len(_ZH_TOPICS)]
        a, b = rng.sample(_ZH_SENTENCES, 2)
        body = f"第{i + 1}天：今天学习了{topic}。{a}\n\n{b}"
        posts.append(SeedPost(["lihua", "chenwei", "marta", "dmitri"][i % 4], body,
                              t0 + timedelta(days=i, minutes=17 * (i % 4))))
    return SeedThread("zh", "我的 Python 学习笔记（每天更新）", posts)


def _backdated() -> SeedThread:
    """Dates years apart, at odd minutes, including around midnight and noon."""
    posts = [
        SeedPost("dmitri", "Does anyone still have the wiring diagram for the 1987 club tandem? The "
                 "original dynamo hub is missing and I want to restore the lighting circuit.",
                 _utc(2019, 2, 28, 23, 58)),
        SeedPost("marta", "I scanned the club archive last winter. The diagram is in the maintenance binder, "
                 "page forty, together with the bulb specifications.", _utc(2019, 3, 1, 0, 3)),
        SeedPost("bob_smith", "Found this thread years later while restoring the very same tandem. The "
                 "binder is now kept in the clubhouse library, top shelf.", _utc(2023, 7, 4, 12, 0)),
    ]
    return SeedThread("general", "Looking for the 1987 club tandem wiring diagram", posts)


def threads() -> list[SeedThread]:
    """All threads, in the order they are created."""
    return [_backdated(), _python_zh(), _sourdough(), _hiking_zh(), _ride_log()]
