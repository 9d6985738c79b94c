"""Charset decoding: BOM, header, meta, detection, GBK as gb18030, lying declarations."""
import codecs

from extractor.decode import decode, normalize_charset

ZH = "论坛帖子：这是第一楼的内容，欢迎大家回复讨论。" * 5


def test_bom_wins_over_declarations():
    data = codecs.BOM_UTF8 + "<meta charset=gbk><p>caf\u00e9</p>".encode()
    out = decode(data, {"Content-Type": "text/html; charset=iso-8859-1"})
    assert out.encoding == "utf-8" and "caf\u00e9" in out.text


def test_header_charset_used_for_gbk_and_decoded_as_gb18030():
    data = f"<p>{ZH}</p>".encode("gbk")
    out = decode(data, {"content-type": "text/html; charset=GB2312"})
    assert out.encoding == "gb18030"
    assert ZH in out.text


def test_meta_charset_when_no_header():
    data = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head><p>{"繁體中文內容測試" * 4}</p>'.encode("big5")
    out = decode(data)
    assert "繁體中文內容測試" in out.text


def test_valid_utf8_beats_a_wrong_declaration():
    data = f'<meta charset="gb2312"><p>{ZH}</p>'.encode("utf-8")
    out = decode(data)
    assert out.encoding == "utf-8" and ZH in out.text
    assert any("ignored" in w for w in out.warnings)


def test_wrong_declaration_detected_by_decode_errors():
    text = "Привет, это форум. Сообщение номер один, и ещё немного текста для детектора. " * 6
    data = f'<meta charset="shift_jis"><p>{text}</p>'.encode("cp1251")
    out = decode(data)
    assert "Привет" in out.text


def test_undeclared_gbk_is_detected():
    out = decode(f"<html><body><p>{ZH}</p></body></html>".encode("gb18030"))
    assert ZH in out.text


def test_str_input_and_garbage_never_raise():
    assert decode("<p>x</p>").text == "<p>x</p>"
    out = decode(bytes(range(256)) * 20)
    assert isinstance(out.text, str)
    assert normalize_charset("no-such-charset") is None
    assert normalize_charset("GBK") == "gb18030"
