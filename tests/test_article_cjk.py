"""CJK pages: short unpunctuated lines (headline lists, player controls) do not pull the region away."""
from extractor import extract

PARAS = [
    "近日，市政府宣布将在今年夏天之前完成老城区十二条街道的改造工程，改造内容包括更换路灯、铺设盲道、增加公共座椅以及整修沿街店铺的外立面，预计总投资约三亿元。",
    "据介绍，改造期间将采取分段施工的方式，尽量减少对居民出行和商户经营的影响，施工单位每天晚上十点之后停止作业，并在每个路口安排专人引导交通。",
    "不少居民表示，老城区的道路多年没有整修，雨天积水严重，这次改造让大家很期待，希望工程能够按时完成，同时也希望保留老街原有的风貌和特色小吃店。",
]
HEADLINES = ["某地发布暴雨橙色预警", "球队官宣新任主教练", "新款手机下周正式开售", "高校毕业生就业形势",
             "多地楼市成交量回升", "国际油价连续三日上涨", "夏季旅游热门城市出炉", "新能源汽车销量创新高"] * 5


def test_headline_list_does_not_join_the_article():
    heads = "".join(f'<div class="it">{h}</div>' for h in HEADLINES)
    html = f"""<html><head><title>老城区街道改造</title></head><body>
<div class="top"><div class="box"><div class="ph">{heads}</div></div></div>
<div class="main"><div class="left"><h1>老城区街道改造</h1><div class="txt">
{''.join(f'<div class="para">{p}</div>' for p in PARAS)}</div></div></div></body></html>"""
    page = extract(html.encode("utf-8"), "https://news.example.cn/a/1")
    for p in PARAS:
        assert p in page.text
    assert HEADLINES[0] not in page.text
    assert HEADLINES[3] not in page.text
