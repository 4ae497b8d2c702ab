"""The four sample endpoints of the Flask serverless-versus-server comparison, for benchmarks."""

from typing import Any, Dict, List, Tuple

from flask import Blueprint, Response, abort, current_app, jsonify, request

bp = Blueprint("demo", __name__)

#: The longest text /jieba/ segments; longer texts are refused with 413. Segmenting and
#: TF-IDF take about 10 ms per 1,000 characters, whatever the text.
MAX_TEXT = 5000
#: How much of the text TextRank reads. It tags parts of speech, which costs 2.4 ms (3.11) to
#: 4.5 ms (3.6) a character the dictionary lacks (random CJK): 120 stay near half a second.
TEXTRANK_MAX_TEXT = 120
#: The longest name the greetings repeat.
MAX_NAME = 100
TOP_KEYWORDS = 20
DEFAULT_TEXT = (
    "舞萌DX 是世嘉推出的音乐游戏，玩家随着音乐拍打圆形屏幕四周的八个按键，并在屏幕上滑动星星。"
    "国服由华立代理，每年更新一个大版本，每个版本都会加入新的歌曲和谱面。"
    "玩家的成绩以达成率计算，最高为百分之一百零一，DX 分数则按每个音符的判定累计。"
    "Rating 由最好的五十个谱面的单曲 Rating 相加得到，其中三十五个来自旧版本，十五个来自当前版本。"
    "查分器帮助玩家保存每一次游玩记录，观察自己的进步，找到最值得练习的谱面。"
)


def text_response(text: str) -> Response:
    """Answer with plain text, which no browser renders as markup."""
    return Response(text, mimetype="text/plain")


def required_name(value: str) -> str:
    """Return a name to greet, refusing a missing or overlong one."""
    name = value.strip()
    if not name:
        abort(400, description="缺少 name 参数。")
    if len(name) > MAX_NAME:
        abort(400, description="name 太长了（最多 %d 个字）。" % MAX_NAME)
    return name


@bp.route("/hello/<name>")
def hello(name: str) -> Response:
    """Greet a name from the path."""
    return text_response("Hello, %s!" % required_name(name))


@bp.route("/welcome/get")
def welcome_get() -> Response:
    """Welcome a name from the query string."""
    return text_response("Welcome, %s!" % required_name(request.args.get("name", "")))


@bp.route("/welcome/post", methods=["POST"])
def welcome_post() -> Response:
    """Welcome a name from a posted form."""
    return text_response("Welcome, %s!" % required_name(request.form.get("name", "")))


def weighted(pairs: Any) -> List[Dict[str, Any]]:
    """Return (word, weight) pairs as JSON objects, weights to four places."""
    return [{"word": word, "weight": round(weight, 4)} for word, weight in pairs]


def keywords(text: str, pick: bool = True) -> Dict[str, Any]:
    """Segment a text and pick its keywords by TF-IDF and, on its beginning, by TextRank."""
    # The song search's module loads jieba its way; imported here, as it brings the ORM along,
    # which the greetings never need.
    from ..catalog import search

    search.load_jieba()  # the prepared dictionary, before anything loads jieba's own
    import jieba

    words = [word for word in jieba.cut(text) if word.strip()]
    if not pick:
        return {
            "length": len(text),
            "words": words,
            "tags": None,
            "textrank": None,
            "textrank_length": 0,
        }
    # jieba.analyse loads its IDF and part-of-speech tables on first use: over a second of
    # CPU in a fresh Python 3.6 process, which is why production leaves it off.
    import jieba.analyse

    tags = jieba.analyse.extract_tags(text, topK=TOP_KEYWORDS, withWeight=True)
    ranked = jieba.analyse.textrank(text[:TEXTRANK_MAX_TEXT], topK=TOP_KEYWORDS, withWeight=True)
    return {
        "length": len(text),
        "words": words,
        "tags": weighted(tags),
        "textrank": weighted(ranked),
        "textrank_length": min(len(text), TEXTRANK_MAX_TEXT),
    }


@bp.route("/jieba/", methods=["GET", "POST"])
def segment() -> Tuple[Response, int]:
    """Return a text's words and keywords as JSON (?text= or a form field; a sample otherwise).

    Keywords (null when DEMO_KEYWORDS is off, as it is in production by default): TF-IDF
    over the whole text and TextRank over its first TEXTRANK_MAX_TEXT characters, so no
    request costs more than a second.
    """
    text = request.values.get("text", "")
    if len(text) > MAX_TEXT:
        return jsonify(error="文本太长了（最多 %d 个字）。" % MAX_TEXT, status=413), 413
    pick = bool(current_app.config.get("DEMO_KEYWORDS"))
    return jsonify(keywords(text if text.strip() else DEFAULT_TEXT, pick)), 200
