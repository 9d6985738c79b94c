"""Article furniture: datelines go, sentences that merely carry a date stay."""
from extractor import extract
from extractor.blocks import is_dateline

BODY = ("The harbour authority reopened the northern pier after a month of repairs, and the first "
        "ferries docked there again on Monday morning, to the relief of commuters and traders alike.")


def _page(extra: str) -> str:
    return f"""<html><head><title>Pier reopens</title></head><body><div class="main"><article>
<h1>Pier reopens</h1><div class="meta">May 12, 2024 10:30</div>
<p>{BODY}</p><p>{BODY.replace('harbour', 'river')}</p>{extra}<p>{BODY.replace('pier', 'quay')}</p>
</article></div><div class="links"><a href="/a">Home</a> <a href="/b">News</a></div></body></html>"""


def test_bare_dateline_is_dropped_but_dated_caption_kept():
    caption = "<div>May 12, the first ferry docks at the repaired pier in the early morning light</div>"
    page = extract(_page(caption).encode(), "https://news.example/pier")
    assert "May 12, 2024 10:30" not in page.text
    assert "the first ferry docks at the repaired pier" in page.text
    assert BODY in page.text


def test_cjk_caption_with_date_kept():
    cjk = "<div>5月19日，在首都的码头，第一艘渡轮在修复后的码头靠岸。记者 摄</div>"
    page = extract(_page(cjk).encode(), "https://news.example/pier")
    assert "第一艘渡轮在修复后的码头靠岸" in page.text


def test_is_dateline():
    assert is_dateline("2024-05-18 16:56 Beijing")
    assert is_dateline("Updated May 3, 2024")
    assert is_dateline("2024年5月18日 16:56 来源：新华社")
    assert not is_dateline("On May 3 the council met again to discuss the harbour budget and the ferries")
    assert not is_dateline("5月19日，在多米尼加首都圣多明各，阿比纳德尔在竞选总部发表胜选演讲。")


def test_counter_lines_are_dropped_but_numbered_items_kept():
    counters = '<div class="bar"><div>128</div><div>+1</div><div>1.2k</div></div>'
    page = extract(_page(counters + "<div>1.</div>").encode(), "https://news.example/pier")
    lines = page.text.split("\n")
    for junk in ("128", "+1", "1.2k"):
        assert junk not in lines
    assert "1." in lines
    assert BODY in page.text


def test_button_labels_alone_on_a_line_are_dropped():
    labels = ('<div class="act"><div>Save</div><div>Email</div><div>\u5206\u4eab\u5230\uff1a</div>'
              '<div>\u670b\u53cb\u5708</div><div>Share - WeChat</div></div>')
    page = extract(_page(labels).encode(), "https://news.example/pier")
    lines = page.text.split("\n")
    for junk in ("Save", "Email", "\u5206\u4eab\u5230\uff1a", "\u670b\u53cb\u5708", "Share - WeChat"):
        assert junk not in lines
    assert BODY in page.text


def test_editor_credit_in_brackets_is_dropped():
    page = extract(_page("<div>(\u7f16\u8f91\uff1a\u6587\u9759)</div>").encode(), "https://news.example/pier")
    assert "\u6587\u9759" not in page.text
    assert BODY in page.text


def test_labelled_counters_sources_and_platform_notices_are_dropped():
    extra = ("<div>\u9605\u8bfb (42\u4e07)</div><div>Source: Harbour Authority</div>"
             "<div>Notice: The content above (including the pictures and videos if any) is uploaded and posted "
             "by a user of the platform, which is a social media platform and only provides storage.</div>")
    page = extract(_page(extra).encode(), "https://news.example/pier")
    assert "42\u4e07" not in page.text
    assert "Harbour Authority" not in page.text
    assert "uploaded and posted" not in page.text
    assert BODY in page.text


def test_next_article_and_qr_code_lines_are_dropped():
    extra = ("<div>\u4e0b\u4e00\u7bc7\uff1a\u53e6\u4e00\u7bc7\u6587\u7ae0</div>"
             "<div>\u626b\u63cf\u4e8c\u7ef4\u7801\u4ee5\u5728\u79fb\u52a8\u8bbe\u5907\u89c2\u770b</div>")
    page = extract(_page(extra).encode(), "https://news.example/pier")
    assert "\u4e0b\u4e00\u7bc7" not in page.text
    assert "\u4e8c\u7ef4\u7801" not in page.text
    assert BODY in page.text


def test_continues_below_ad_labels_are_dropped():
    page = extract(_page("<div>Story continues below advertisement</div>").encode(), "https://news.example/pier")
    assert "continues below" not in page.text
    assert BODY in page.text


def test_arabic_byline_is_dropped():
    byline = "\u0643\u062a\u0628 \u0633\u064a\u062f \u0627\u0644\u062e\u0644\u0641\u0627\u0648\u0649"
    page = extract(_page(f"<div>{byline}</div>").encode(), "https://news.example/pier")
    assert "\u0633\u064a\u062f" not in page.text
    assert BODY in page.text
