"""Boxes inside an article region that are not the article: calls to action, counters."""
from extractor import extract

PARAS = [
    "The regional orchestra will tour eleven towns this summer, bringing chamber music to village "
    "halls and churches that have not hosted a concert in more than a decade.",
    "Musicians said the smaller rooms demand a different kind of playing, quieter and closer, and "
    "several of them grew up in the towns on the route and still have family there.",
    "Tickets will be sold at the door for a nominal price, and schools along the route have been "
    "invited to send pupils to the afternoon rehearsals free of charge.",
]
APPEAL = """<div class="x1"><h4>Dear Reader</h4><div class="x2">
<p>Independent reporting like this takes time, and time costs money.</p>
<p>We rely on readers like you to keep this work free for everyone who wants it.</p>
<p>Would you consider chipping in today?</p></div></div>"""


def test_call_to_action_box_goes_whole():
    html = f"""<html><head><title>Orchestra tours the villages</title></head><body>
<div class="page"><div class="story"><h1>Orchestra tours the villages</h1>
<p>{PARAS[0]}</p><p>{PARAS[1]}</p>{APPEAL}<p>{PARAS[2]}</p></div></div>
<div class="links"><a href="/a">Home</a> <a href="/b">Arts</a></div></body></html>"""
    page = extract(html.encode(), "https://news.example/orchestra")
    for p in PARAS:
        assert p in page.text
    for junk in ("Dear Reader", "readers like you", "takes time, and time costs money", "chipping in"):
        assert junk not in page.text
