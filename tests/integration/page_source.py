"""What a served page holds, for the checks made before a browser opens it: what it loads (src/href),
what the CSP would refuse (inline script or style, style= and on…= attributes), its ids and the text keys
it names (data-i18n…)."""
import html.parser


class PageSource(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.inline, self.keys, self.ids = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href"):
            if a.get(name):
                self.urls.append(a[name])
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script" and not a.get("src"):
            self.inline.append("<script> without src")
        if a.get("id"):
            self.ids.append(a["id"])
        for name, value in a.items():
            if name == "style" or name.startswith("on"):
                self.inline.append("%s= on <%s>" % (name, tag))
            if name == "data-i18n" or name.startswith("data-i18n-"):
                self.keys.add(value)
