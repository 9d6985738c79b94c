"""What class names say: BEM elements are named by their element part."""
from extractor import extract, names

SHORT = ("Officials confirmed on Sunday that the night train between the two capitals will run again "
         "from June, after a pause of four years, with new sleeping cars and a stop at the border town.")
OTHER = [
    "If one song was sung in every school yard of the country, it was this one, a gentle tune about a "
    "grandmother and a bay that generations of children learned by heart before they could read.",
    "Its singer rose to fame in his twenties, recorded a string of hits and then vanished from the stage, "
    "and for years most of his listeners believed he had simply retired to a quiet life abroad.",
    "The truth came out much later: illness had ended his career, and he spent his last years far from "
    "the studios, still answering letters from the listeners who remembered his voice.",
]


def test_bem_element_part_decides_the_role():
    recommend = names.flags("detail-content__recommend--wrapper")
    assert recommend & names.NEG and not recommend & names.POS
    assert names.flags("post__content") & names.POS


def test_recommended_story_inside_the_content_block_is_not_the_article():
    html = f"""<html><head><title>Night train returns</title></head><body><div class="detail-content">
<h1>Night train returns</h1><div class="detail-content__text"><p>{SHORT}</p></div>
<div class="detail-content__recommend--wrapper"><div class="detail-content__recommend-title">You may like</div>
{''.join(f'<p>{p}</p>' for p in OTHER)}</div></div></body></html>"""
    page = extract(html.encode(), "https://news.example/train")
    assert SHORT in page.text
    for p in OTHER:
        assert p not in page.text


def test_side_columns_named_by_position_are_boilerplate():
    for name in ("right-bar", "left-bar", "sidebox", "right-col"):
        assert names.flags(name) & names.NEG, name
    assert not names.flags("bar-chart") & names.NEG


def test_hidden_class_names():
    for name in ("item-page item-page_hidden", "is-hidden", "d-none", "panel hidden"):
        assert names.flags(name) & names.HIDDEN, name
    for name in ("hidden-xs hidden-sm", "hidden md:block", "hide-comments-button"):
        assert not names.flags(name) & names.HIDDEN, name


def test_hidden_next_page_of_a_paged_article_is_left_out():
    # the hidden second page holds much of the prose (its "hidden" name alone would be ignored)
    hidden = f'<div class="body__page body__page_hidden" data-page="2"><p>{OTHER[0]}</p><p>{OTHER[1]}</p></div>'
    first = f'<div class="body__page" data-page="1"><p>{SHORT}</p><p>{SHORT.replace("June", "July")}</p></div>'
    menu = "".join(f'<li><a href="/s/{k}">Section number {k} of the site menu</a></li>' for k in range(30))
    html = f"""<html><head><title>Night train returns</title></head><body><ul class="m">{menu}</ul>
<div class="story"><h1>Night train returns</h1><div class="body">{first}{hidden}</div></div></body></html>"""
    page = extract(html.encode(), "https://news.example/train")
    assert SHORT in page.text
    assert OTHER[0] not in page.text
    assert OTHER[1] not in page.text


def test_utility_toolbars_are_boilerplate():
    for name in ("util_view", "item_util", "inner_tts_layer", "toolbox", "pay-balance", "wallet-box"):
        assert names.flags(name) & names.NEG, name


def test_subscribe_forms_named_in_one_word_are_boilerplate():
    for name in ("styles_SubscribeForm__title", "subscribebox"):
        assert names.flags(name) & names.HARDNEG, name
