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


CONSENT = """<div class="q7w5"><div class="f1r5"><h3>We value your privacy</h3>
<p>Click accept to agree to the use of cookies and similar technologies by us and our partners for the
purposes below.</p>
<p>With your consent we and our trusted IAB partners will process personal data collected on our sites and apps.</p>
<ul><li>Store and access information on a device</li><li>Use limited data to select advertising</li>
<li>Create profiles for personalised advertising</li><li>Measure advertising performance</li>
<li>Understand audiences through statistics or combinations of data from different sources</li></ul>
<p>Our partners may also process your data on the basis of legitimate interest, which you can object to.</p>
<p>Your consent is voluntary and can be withdrawn at any time in the privacy settings of this site.</p>
<p>Data may be transferred to partners outside the European Economic Area under the GDPR safeguards.</p>
<p>You have the right to access, rectify and erase your data and to lodge a complaint with the authority.</p>
<p>Using the site without changing the cookie settings of your browser means cookies will be stored on your device.</p>
</div></div>"""


def test_consent_dialog_with_obfuscated_names_is_not_the_article():
    html = f"""<html><head><title>Orchestra tours the villages</title></head><body>
<div class="a8x"><div class="k2p"><h1>Orchestra tours the villages</h1>
{''.join(f'<p>{p}</p>' for p in PARAS)}</div></div>
<div class="menu"><a href="/a">Home</a> <a href="/b">Arts</a></div>{CONSENT}</body></html>"""
    page = extract(html.encode(), "https://news.example/orchestra")
    for p in PARAS:
        assert p in page.text
    assert "cookies" not in page.text
    assert "legitimate interest" not in page.text


def test_writer_box_after_a_declared_article_is_dropped():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
          '"headline": "Orchestra tours the villages"}</script>')
    bio = ('<div class="writer-box"><span>Jane Roe</span><p>Jane covers music and the arts for the paper and '
           'has written about orchestras, choirs and opera houses across the region for twenty years.</p></div>')
    html = f"""<html><head><title>Orchestra tours the villages</title>{ld}</head><body>
<div class="page"><div class="story"><h1>Orchestra tours the villages</h1>
{''.join(f'<p>{p}</p>' for p in PARAS * 3)}{bio}</div></div></body></html>"""
    page = extract(html.encode(), "https://news.example/orchestra")
    assert page.kind == "article"
    for p in PARAS:
        assert p in page.text
    assert "Jane covers music" not in page.text


def test_video_player_controls_are_not_article_text():
    player = ('<div class="mplayer"><div class="player-bottom"><div>00:00/01:45</div><div>Playback speed</div>'
              '<div>2.0X</div><div>1.5X</div><div>1.0X</div><div>HD 720P</div><div>Loop playback</div>'
              '<div>Skip intro</div></div></div>')
    html = f"""<html><head><title>Orchestra tours the villages</title></head><body>
<div class="page"><div class="story"><h1>Orchestra tours the villages</h1>{player}
{''.join(f'<p>{p}</p>' for p in PARAS)}</div></div></body></html>"""
    page = extract(html.encode(), "https://news.example/orchestra")
    for p in PARAS:
        assert p in page.text
    assert "Playback speed" not in page.text
    assert "Skip intro" not in page.text


def test_author_biography_box_is_dropped_on_an_undeclared_page():
    bio_text = ("Jane Roe was born by the sea and studied music and journalism before joining the paper, where she "
                "has covered concerts, festivals and the arts for twenty years. She also writes for a literary "
                "magazine and presents a weekly radio programme about choirs and orchestras of the region.")
    bio = f'<div class="news-author-bio"><span>Jane Roe</span><p>{bio_text}</p></div>'
    html = f"""<html><head><title>Orchestra tours the villages</title></head><body>
<div class="page"><div class="story"><h1>Orchestra tours the villages</h1>
{''.join(f'<p>{p}</p>' for p in PARAS)}<div class="bottom">{bio}</div></div></div></body></html>"""
    page = extract(html.encode(), "https://news.example/orchestra")
    for p in PARAS:
        assert p in page.text
    assert "Jane Roe was born by the sea" not in page.text
